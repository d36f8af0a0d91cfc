/*
 * The flow editor's lists: a condition (or a fee rule) names an earlier question and some of
 * its options, chosen from what the editor has written so far, saved or not. The server keeps
 * the question's answer name and the options' keys in plain inputs (marked
 * data-flow-condition-question and data-flow-condition-options); this script hides them behind
 * a list of questions and a set of checkboxes, and writes the choice back. It reads the
 * StreamField's own inputs (steps-N-type, -order, -deleted, -value-…), so it follows the
 * editor's adding, moving and deleting without knowing Wagtail's internals.
 */
(function () {
  "use strict";

  const NUMBER_KINDS = ["quantity", "whole_number"];
  const LONGEST_NUMBER_LIST = 20;

  function field(name) {
    return document.querySelector(`[name="${CSS.escape(name)}"]`);
  }

  function value(name) {
    const input = field(name);
    return input ? input.value : "";
  }

  function live(prefix) {
    return value(`${prefix}-deleted`) !== "1";
  }

  function order(prefix, index) {
    const found = parseInt(value(`${prefix}-order`), 10);
    return Number.isNaN(found) ? index : found;
  }

  function slug(text, separator) {
    const made = text
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, separator)
      .replace(new RegExp(`^\\${separator}+|\\${separator}+$`, "g"), "")
      .slice(0, 40);
    return made;
  }

  function unique(base, taken, separator) {
    let made = base;
    let number = 2;
    while (taken.has(made)) {
      made = `${base}${separator}${number}`;
      number += 1;
    }
    taken.add(made);
    return made;
  }

  // Children of a stream or list, in the order the editor shows them.
  function children(prefix, suffix) {
    const pattern = new RegExp(`^${prefix.replace(/[-]/g, "\\-")}-(\\d+)-${suffix}$`);
    const found = [];
    document.querySelectorAll(`[name^="${CSS.escape(prefix)}-"]`).forEach((input) => {
      const match = input.name.match(pattern);
      if (!match) return;
      const childPrefix = `${prefix}-${match[1]}`;
      if (!live(childPrefix)) return;
      found.push({ prefix: childPrefix, input, order: order(childPrefix, Number(match[1])) });
    });
    return found.sort((a, b) => a.order - b.order);
  }

  function optionsOf(question, kind) {
    if (kind === "yes_no") {
      return [
        { key: "yes", label: "Yes" },
        { key: "no", label: "No" },
      ];
    }
    if (NUMBER_KINDS.includes(kind)) {
      const smallest = parseInt(value(`${question}-value-min_value`), 10);
      const largest = parseInt(value(`${question}-value-max_value`), 10);
      if (Number.isNaN(smallest) || Number.isNaN(largest)) return [];
      if (largest < smallest || largest - smallest >= LONGEST_NUMBER_LIST) return [];
      const numbers = [];
      for (let n = smallest; n <= largest; n += 1) numbers.push({ key: `${n}`, label: `${n}` });
      return numbers;
    }
    const options = children(`${question}-value-options`, "value-label");
    const taken = new Set();
    options.forEach((o) => taken.add(value(`${o.prefix}-value-key`)));
    return options.map((o) => {
      const keyInput = field(`${o.prefix}-value-key`);
      const label = o.input.value.trim();
      // A new option gets its key now, as the server would on saving, so a condition can
      // name it before the first save.
      if (keyInput && !keyInput.value && label) keyInput.value = unique(slug(label, "-") || "option", taken, "-");
      return { key: keyInput ? keyInput.value : "", label };
    });
  }

  function readFlow() {
    const names = new Set();
    document.querySelectorAll('[name^="steps-"][name$="-value-name"]').forEach((input) => {
      if (input.value) names.add(input.value);
    });
    return children("steps", "type").map((step, position) => {
      const questions = children(`${step.prefix}-value-questions`, "type").map((q) => {
        const nameInput = field(`${q.prefix}-value-name`);
        const label = value(`${q.prefix}-value-label`).trim();
        if (nameInput && !nameInput.value && label) {
          const base = slug(label, "_");
          nameInput.value = unique(/^[a-z]/.test(base) ? base : `answer_${base}`, names, "_");
        }
        return {
          name: nameInput ? nameInput.value : "",
          label,
          kind: q.input.value,
          options: optionsOf(q.prefix, q.input.value),
        };
      });
      return { prefix: step.prefix, position, questions };
    });
  }

  // Which questions a list offers: a step's condition, only those before the step; a fee
  // rule, any question (of the kinds it names, if it names some).
  function offered(input, flow) {
    const kinds = (input.dataset.flowQuestionKinds || "").split(/[\s,]+/).filter(Boolean);
    const match = input.name.match(/^(steps-\d+)-/);
    const questions = [];
    for (const step of flow) {
      if (match && step.prefix === match[1]) break;
      step.questions.forEach((q) => {
        if (!q.name) return;
        if (kinds.length ? kinds.includes(q.kind) : q.options.length) questions.push(q);
      });
    }
    return questions;
  }

  function questionInputFor(optionsInput) {
    let prefix = optionsInput.name;
    while (prefix.includes("-")) {
      prefix = prefix.slice(0, prefix.lastIndexOf("-"));
      const found = field(`${prefix}-question`);
      if (found && found.hasAttribute("data-flow-condition-question")) return found;
    }
    return null;
  }

  function buildQuestionList(input, flow) {
    let select = input.flowSelect;
    if (!select) {
      select = document.createElement("select");
      select.className = "flow-editor-list";
      select.id = input.id;
      input.id = `${input.id}-kept`;
      input.hidden = true;
      input.after(select);
      input.flowSelect = select;
      select.addEventListener("change", () => {
        input.value = select.value;
        refresh();
      });
    }
    const questions = offered(input, flow);
    select.replaceChildren();
    const none = document.createElement("option");
    none.value = "";
    none.textContent = input.name.startsWith("steps-")
      ? "No condition: show it to everyone"
      : "Choose a question";
    select.append(none);
    questions.forEach((q) => {
      const option = document.createElement("option");
      option.value = q.name;
      option.textContent = q.label || q.name;
      select.append(option);
    });
    if (input.value && !questions.some((q) => q.name === input.value)) {
      // Kept, not silently dropped: the checks say what is wrong with it on saving.
      const option = document.createElement("option");
      option.value = input.value;
      option.textContent = `${input.value} (not an earlier question with options)`;
      select.append(option);
    }
    select.value = input.value;
  }

  function buildOptionList(input, flow) {
    let group = input.flowGroup;
    if (!group) {
      group = document.createElement("div");
      group.className = "flow-editor-options";
      group.setAttribute("role", "group");
      const label = document.querySelector(`label[for="${CSS.escape(input.id)}"]`);
      if (label) {
        label.id = label.id || `${input.id}-label`;
        group.setAttribute("aria-labelledby", label.id);
      }
      input.hidden = true;
      input.after(group);
      input.flowGroup = group;
    }
    const questionInput = questionInputFor(input);
    const name = questionInput ? questionInput.value : "";
    let question = null;
    flow.forEach((step) => step.questions.forEach((q) => {
      if (q.name === name) question = q;
    }));
    const chosen = new Set(input.value.split(",").filter(Boolean));
    group.replaceChildren();
    if (!question) {
      const note = document.createElement("p");
      note.className = "help";
      note.textContent = name ? "That question has no options." : "Choose a question first.";
      group.append(note);
      return;
    }
    question.options.forEach((option, index) => {
      if (!option.key) return;
      const id = `${input.id}-choice-${index}`;
      const wrapper = document.createElement("div");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.value = option.key;
      box.checked = chosen.has(option.key);
      box.addEventListener("change", () => {
        const keys = [...group.querySelectorAll("input:checked")].map((b) => b.value);
        input.value = keys.join(",");
      });
      const text = document.createElement("label");
      text.htmlFor = id;
      text.textContent = ` ${option.label || option.key}`;
      wrapper.append(box, text);
      group.append(wrapper);
    });
  }

  let pending = null;
  function refresh() {
    pending = null;
    const questionInputs = document.querySelectorAll("input[data-flow-condition-question]");
    const optionInputs = document.querySelectorAll("input[data-flow-condition-options]");
    if (!questionInputs.length && !optionInputs.length) return;
    const flow = readFlow();
    questionInputs.forEach((input) => buildQuestionList(input, flow));
    optionInputs.forEach((input) => buildOptionList(input, flow));
  }

  function later() {
    if (pending) return;
    pending = window.setTimeout(refresh, 250);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("form[data-edit-form], #page-edit-form, form");
    refresh();
    // Typing in a question or an option, adding, moving or deleting a block: the lists follow.
    document.addEventListener("change", (event) => {
      if (!event.target.closest(".flow-editor-list, .flow-editor-options")) later();
    });
    // Blocks added, moved or deleted; not the lists this script draws itself.
    const ours = (node) =>
      node.nodeType === 1 && node.closest(".flow-editor-list, .flow-editor-options");
    if (form) {
      new MutationObserver((records) => {
        const theirs = records.some(
          (r) => !ours(r.target) && ![...r.addedNodes, ...r.removedNodes].every(ours),
        );
        if (theirs) later();
      }).observe(form, { childList: true, subtree: true });
    }
  });
})();
