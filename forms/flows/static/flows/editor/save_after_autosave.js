/*
 * An editor's "Save draft" or "Publish" waits for a background save still on its way.
 *
 * Wagtail saves the editor's form in the background as they type (autosave), and its own
 * buttons do not wait for that background save to come back. The server can then finish the
 * two in either order. When the background save, made from the form as it was a moment
 * earlier, finishes last, it becomes the page's latest revision: the fields typed in between
 * are lost though the editor was told "saved". On a new page it is worse: the form still
 * points at "add", so the editor's save makes a second page beside the one the background
 * save made.
 *
 * So a submit that finds a background save in flight is held until Wagtail reports that
 * save done (or failed), then sent again, with the same button, to wherever the form now
 * points; and once the editor has saved, no new background save starts.
 */
(() => {
  // Longer than any background save should take; a hung one must not keep the editor's
  // save from ever being sent.
  const LONGEST_WAIT_MS = 15000;
  let inFlight = false;
  let sending = false;
  let held = null;

  const isEditorForm = (form) =>
    form instanceof HTMLFormElement && (form.dataset.controller || "").includes("w-autosave");

  function sendHeld() {
    if (!held) return;
    const { form, submitter, timer } = held;
    held = null;
    window.clearTimeout(timer);
    sending = true;
    // The button may have been drawn again (a new page's actions are, once it exists):
    // the one with the same name in the form now does the same thing.
    let button = null;
    if (submitter && submitter.isConnected && submitter.form === form) {
      button = submitter;
    } else if (submitter && submitter.name) {
      button = [...form.elements].find((e) => e.type === "submit" && e.name === submitter.name);
    }
    if (button) form.requestSubmit(button);
    else form.requestSubmit();
  }

  document.addEventListener("w-autosave:save", (event) => {
    if (!isEditorForm(event.target)) return;
    if (sending || held) {
      event.preventDefault(); // Wagtail sends nothing for a cancelled save
      return;
    }
    // Read once every listener has had its say: another may have cancelled it.
    window.queueMicrotask(() => {
      if (!event.defaultPrevented) inFlight = true;
    });
  });

  const finished = (event) => {
    if (!isEditorForm(event.target)) return;
    inFlight = false;
    sendHeld();
  };
  document.addEventListener("w-autosave:success", finished);
  document.addEventListener("w-autosave:error", finished);

  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!isEditorForm(form) || sending) return;
      if (!inFlight) {
        sending = true;
        // Stopped by another of the editor's checks: nothing was sent, background saves
        // go on.
        window.setTimeout(() => {
          if (event.defaultPrevented) sending = false;
        });
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      if (!held) {
        held = {
          form,
          submitter: event.submitter,
          timer: window.setTimeout(sendHeld, LONGEST_WAIT_MS),
        };
      }
    },
    true,
  );

  // Back from the browser's cache after a save: the page is live again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) sending = false;
  });
})();
