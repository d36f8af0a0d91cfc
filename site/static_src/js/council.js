// Starts GOV.UK Frontend's components. Loaded as an external module (no inline script), so a
// strict Content Security Policy can forbid inline scripts. Browsers that cannot run modules
// never load this file and get the plain, fully working HTML.
import { initAll } from './govuk-frontend.min.js';
import { initSearchSuggestions } from './search-suggestions.js';

document.body.classList.add('js-enabled', 'govuk-frontend-supported');
initAll();
initSearchSuggestions();
