import './hardware.css';
import { useIsAdmin } from '../../api/context.js';
import { AutoSection } from './auto-section.js';
import { PlacementSection } from './placement-section.js';
import { PlanSection } from './plan-section.js';
import { SeriesSection } from './series-section.js';

/**
 * The hardware optimizer (admin only, like its API): history with forecast and limit, per-core
 * load and CPU placement, the right-sizing plan with apply and rollback, and auto mode with its kill switch.
 */
export function HardwarePage() {
  if (!useIsAdmin()) return <p className="state-empty">The Hardware page is for administrators.</p>;
  return (
    <div className="grid wide hw-page">
      <SeriesSection />
      <PlacementSection />
      <PlanSection />
      <AutoSection />
    </div>
  );
}
