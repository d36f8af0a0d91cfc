// Opens the block a link from the flow map points at (forms/flows/editor/flow_map.py).
//
// The map links to a step with Wagtail's own address for a block, `#:w:contentpath=steps.<id>`.
// When the editor loads, Wagtail scrolls to that block, but leaves it collapsed and the focus
// where it was; and a link followed within the editor (the map's panel) only changes the
// address. So, on both: show the tab the block is on, expand the block and the panels around
// it, and move the focus to its heading, so keyboard and screen reader users arrive there too.
// Wagtail's own links of this kind (from its usage report) are opened the same way.
(() => {
  const MARK = ':w:';

  const target = () => {
    const hash = window.location.hash.slice(1);
    const at = hash.indexOf(MARK);
    if (at === -1) return null;
    const path = new URLSearchParams(hash.slice(at + MARK.length)).get('contentpath');
    if (!path) return null;
    const selector = path
      .split('.')
      .filter(Boolean)
      .map((part) => `[data-contentpath="${CSS.escape(part)}"]`)
      .join(' ');
    return selector ? document.querySelector(selector) : null;
  };

  const expand = (panel) => {
    const toggle = panel.querySelector('[data-panel-toggle]');
    if (toggle && toggle.getAttribute('aria-expanded') === 'false') toggle.click();
    return toggle;
  };

  const open = () => {
    const block = target();
    if (!block) return;
    const tabPanel = block.closest('[role="tabpanel"]');
    if (tabPanel && tabPanel.hidden) {
      const tab = document.querySelector(`[role="tab"][aria-controls="${CSS.escape(tabPanel.id)}"]`);
      if (tab) tab.click();
    }
    const panels = [];
    let panel = block.closest('[data-panel]');
    while (panel) {
      panels.unshift(panel);
      panel = panel.parentElement ? panel.parentElement.closest('[data-panel]') : null;
    }
    panels.forEach(expand);
    const own = block.querySelector('[data-panel]');
    const heading = own ? expand(own) : null;
    (own || block).scrollIntoView({ block: 'start' });
    if (heading) heading.focus({ preventScroll: true });
  };

  // After Wagtail has drawn the StreamField's blocks (on DOMContentLoaded).
  window.addEventListener('load', () => window.setTimeout(open, 0));
  window.addEventListener('hashchange', open);
})();
