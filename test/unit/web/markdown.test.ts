// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../../web/src/lib/markdown.js';

describe('renderMarkdown (model output)', () => {
  it('renders code blocks, lists and emphasis', () => {
    const html = renderMarkdown('**bold**\n\n```ts\nconst a = 1 < 2;\n```\n\n- one\n- two');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<pre><code class="language-ts">const a = 1 &lt; 2;');
    expect(html).toContain('<li>one</li>');
  });

  it('removes scripts, event handlers, styles, images and javascript: links', () => {
    const html = renderMarkdown(
      '<script>alert(1)</script><img src=x onerror=alert(2)><p style="color:red" onclick="x()">hi</p>' +
        '<iframe src="//evil"></iframe>',
    );
    expect(html).not.toMatch(/<script|onerror|onclick|style=|<img|<iframe/i);
    expect(html).toContain('hi');
    const link = renderMarkdown('see [link](javascript:alert(3)) and [ok](https://example.org)');
    expect(link).not.toContain('href="javascript:');
    expect(link).toContain('href="https://example.org"');
  });
});
