import DOMPurify from 'dompurify';
import { marked } from 'marked';

/**
 * Model output → safe HTML. marked renders (code blocks included); DOMPurify then removes
 * scripts, event handlers, styles and anything else that could run or call out. Links open
 * nowhere special; images are refused (a model could use them to exfiltrate through a URL).
 */
export function renderMarkdown(
  source: string,
  purifier: Pick<typeof DOMPurify, 'sanitize'> = DOMPurify,
): string {
  const html = marked.parse(source, { async: false, gfm: true, breaks: true });
  return purifier.sanitize(html, {
    FORBID_TAGS: ['style', 'img', 'form', 'input', 'iframe', 'svg', 'math'],
    FORBID_ATTR: ['style'],
  });
}
