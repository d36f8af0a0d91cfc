// Suggestions as you type for the search boxes: an ARIA 1.2 combobox with a listbox popup, as in
// the WAI-ARIA Authoring Practices' "list autocomplete" example.
//
// Why not alphagov's accessible-autocomplete (3.0.1), the first choice: while its list
// is open it swallows Enter unless a suggestion is highlighted, so a resident could not search
// for what they typed; on iOS it writes style="" attributes into the options, which a strict
// Content Security Policy blocks; and with its polyfills it is 19 KB gzipped, half the budget
// for all our CSS and JavaScript. This file is about 3 KB gzipped, comments included.
//
// Progressive enhancement: the server renders a plain GET form that works without this file.
// Here the box gets role="combobox", a listbox of the pages the suggest endpoint returns and a
// polite live region that announces how many there are. Up/Down choose, Enter on a chosen
// suggestion goes to its page, Enter otherwise searches for the typed text, Escape closes.

const MIN_CHARACTERS = 2;
const DELAY_MS = 200;
const ANNOUNCE_DELAY_MS = 500;
const CACHE_SIZE = 30;

class SearchSuggestions {
  constructor(field) {
    this.field = field;
    this.input = field.querySelector('input[name="q"]');
    this.suggestions = [];
    this.active = -1;
    this.cache = new Map();
    this.controller = null;
    this.timer = 0;
    this.announceTimer = 0;
    this.build();
    this.listen();
  }

  build() {
    const { input, field } = this;
    this.listbox = document.createElement('ul');
    this.listbox.id = `${input.id}-suggestions`;
    this.listbox.className = 'council-suggestions';
    this.listbox.setAttribute('role', 'listbox');
    this.listbox.setAttribute('aria-label', field.dataset.listboxLabel || 'Suggestions');
    this.listbox.hidden = true;

    // A live region must be in the page before its text changes for screen readers to read it.
    this.status = document.createElement('div');
    this.status.className = 'govuk-visually-hidden';
    this.status.setAttribute('role', 'status');
    this.status.setAttribute('aria-atomic', 'true');
    field.append(this.listbox, this.status);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', this.listbox.id);
    const hint = document.getElementById(`${input.id}-suggestions-hint`);
    if (hint) {
      const describedBy = input.getAttribute('aria-describedby');
      input.setAttribute('aria-describedby', describedBy ? `${describedBy} ${hint.id}` : hint.id);
    }
  }

  listen() {
    this.input.addEventListener('input', () => this.typed());
    this.input.addEventListener('keydown', (event) => this.keydown(event));
    this.input.addEventListener('blur', () => this.close());
    // Keep the focus in the box while a suggestion is clicked or tapped.
    this.listbox.addEventListener('mousedown', (event) => event.preventDefault());
    this.listbox.addEventListener('click', (event) => {
      const option = event.target.closest('[role="option"]');
      if (option) this.choose(Number(option.dataset.index));
    });
    this.input.form?.addEventListener('submit', () => this.reset());
    window.addEventListener('pageshow', () => this.reset());
  }

  query() {
    return this.input.value.trim().replace(/\s+/g, ' ');
  }

  typed() {
    window.clearTimeout(this.timer);
    this.highlight(-1);
    const query = this.query();
    if (query.length < MIN_CHARACTERS) {
      this.reset();
      return;
    }
    this.timer = window.setTimeout(() => this.fetch(query), DELAY_MS);
  }

  async fetch(query) {
    if (this.cache.has(query)) {
      this.show(query, this.cache.get(query));
      return;
    }
    // Only the newest request matters: a slower answer for fewer letters must not win.
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    try {
      const url = new URL(this.field.dataset.suggestUrl, window.location.href);
      url.searchParams.set('q', query);
      const response = await fetch(url, {
        signal: controller.signal,
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (!response.ok) throw new Error(`suggestions: HTTP ${response.status}`);
      const data = await response.json();
      const suggestions = Array.isArray(data.suggestions) ? data.suggestions : [];
      this.cache.set(query, suggestions);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value);
      this.show(query, suggestions);
    } catch (error) {
      // Suggestions are a help, not the search: on any failure the form still searches.
      if (error.name !== 'AbortError') this.reset();
    }
  }

  show(query, suggestions) {
    if (query !== this.query() || document.activeElement !== this.input) return;
    this.suggestions = suggestions;
    this.active = -1;
    this.listbox.replaceChildren(
      ...suggestions.map((suggestion, index) => this.option(suggestion, index)),
    );
    if (suggestions.length) {
      this.open();
    } else {
      this.close();
    }
    this.announce(suggestions.length);
  }

  option(suggestion, index) {
    // textContent, never innerHTML: titles are editors' text and are shown as text.
    const option = document.createElement('li');
    option.id = `${this.listbox.id}-${index}`;
    option.className = 'council-suggestions__option';
    option.setAttribute('role', 'option');
    option.setAttribute('aria-selected', 'false');
    option.dataset.index = String(index);
    const title = document.createElement('span');
    title.className = 'council-suggestions__title';
    title.textContent = suggestion.title;
    option.append(title);
    if (suggestion.category) {
      const category = document.createElement('span');
      category.className = 'council-suggestions__category';
      category.textContent = suggestion.category;
      option.append(category);
    }
    return option;
  }

  announce(count) {
    window.clearTimeout(this.announceTimer);
    const message = count
      ? this.field.getAttribute(`data-status-${count}`) || String(count)
      : this.field.dataset.statusNone || '';
    // Wait until typing pauses, so the count is not read out over every letter.
    this.announceTimer = window.setTimeout(() => {
      // A changed text is read again even when the count is the same as last time.
      this.status.textContent = this.status.textContent === message ? `${message}\u00a0` : message;
    }, ANNOUNCE_DELAY_MS);
  }

  open() {
    this.listbox.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
  }

  isOpen() {
    return !this.listbox.hidden;
  }

  close() {
    this.highlight(-1);
    this.listbox.hidden = true;
    this.input.setAttribute('aria-expanded', 'false');
  }

  reset() {
    window.clearTimeout(this.timer);
    window.clearTimeout(this.announceTimer);
    this.controller?.abort();
    this.suggestions = [];
    this.listbox.replaceChildren();
    this.status.textContent = '';
    this.close();
  }

  highlight(index) {
    const previous = this.listbox.children[this.active];
    if (previous) {
      previous.classList.remove('council-suggestions__option--active');
      previous.setAttribute('aria-selected', 'false');
    }
    this.active = index;
    const option = this.listbox.children[index];
    if (option) {
      option.classList.add('council-suggestions__option--active');
      option.setAttribute('aria-selected', 'true');
      this.input.setAttribute('aria-activedescendant', option.id);
      option.scrollIntoView({ block: 'nearest' });
    } else {
      this.input.removeAttribute('aria-activedescendant');
    }
  }

  // One step down or up through the suggestions and back to the text box (-1).
  move(step) {
    const count = this.suggestions.length;
    if (!count) return;
    if (!this.isOpen()) this.open();
    this.highlight(((this.active + 1 + step + count + 1) % (count + 1)) - 1);
  }

  choose(index) {
    const suggestion = this.suggestions[index];
    if (!suggestion) return;
    const url = new URL(suggestion.url, window.location.href);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    this.close();
    window.location.assign(url.href);
  }

  keydown(event) {
    if (event.isComposing) return;
    switch (event.key) {
      case 'ArrowDown':
        if (!this.suggestions.length) return;
        event.preventDefault();
        if (event.altKey) this.open();
        else this.move(1);
        break;
      case 'ArrowUp':
        if (!this.isOpen()) return;
        event.preventDefault();
        this.move(-1);
        break;
      case 'Enter':
        // With no suggestion chosen, Enter submits the form: residents search for what they typed.
        if (this.isOpen() && this.active >= 0) {
          event.preventDefault();
          this.choose(this.active);
        }
        break;
      case 'Escape':
        // Open: close the list and keep the text. Closed: the browser clears the box as usual.
        if (this.isOpen()) {
          event.preventDefault();
          this.close();
        }
        break;
      case 'Tab':
        this.close();
        break;
      default:
    }
  }
}

export function initSearchSuggestions(scope = document) {
  for (const field of scope.querySelectorAll('[data-module="council-search-suggestions"]')) {
    if (field.hasAttribute('data-council-init') || !field.querySelector('input[name="q"]')) {
      continue;
    }
    field.setAttribute('data-council-init', '');
    new SearchSuggestions(field);
  }
}
