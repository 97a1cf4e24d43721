/**
 * The planner's suggestion while it is made: the page asks about twice a second how far the
 * planner is (elapsed time, the best figures so far) and, when it is done, shows the preview.
 *
 * Hook: `[data-suggestion]` with `data-fragment` (the URL of the suggestion's state); inside,
 * `[data-suggestion-state]` with `data-state` ("running" while the planner works) and, when it
 * is done, `data-announce` (read out in `[data-suggestion-feedback]`, role="status").
 * Without JavaScript the page has a link to look again.
 */

const POLL_EVERY = 500; // ms

const root = document.querySelector("[data-suggestion]");

function current() {
  return root.querySelector("[data-suggestion-state]");
}

async function poll() {
  const shown = current();
  if (!shown || shown.dataset.state !== "running") return;
  try {
    const response = await fetch(root.dataset.fragment, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.ok) {
      const template = document.createElement("template");
      template.innerHTML = (await response.text()).trim();
      const fresh = template.content.querySelector("[data-suggestion-state]");
      if (fresh) {
        const hadFocus = shown.contains(document.activeElement);
        shown.replaceWith(fresh);
        if (fresh.dataset.state !== "running") {
          const region = document.querySelector("[data-suggestion-feedback]");
          if (region) region.textContent = fresh.dataset.announce || "";
          if (hadFocus) fresh.querySelector("button, a")?.focus();
          return;
        }
      }
    }
  } catch {
    // offline for a moment: ask again
  }
  window.setTimeout(poll, POLL_EVERY);
}

if (root) window.setTimeout(poll, POLL_EVERY);
