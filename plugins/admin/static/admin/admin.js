/* flaskkit's admin: the little script the pages use. No framework, no inline handlers, no eval:
   it reads data- attributes and runs under Content-Security-Policy "default-src 'self'".
   Every page works without it; it adds the selection counter and "Select all" of the actions,
   "Add another" rows of the inlines, the autocomplete search, slugs from prepopulated_fields,
   and a search box above the select of filter_horizontal/filter_vertical fields. */
(function () {
  "use strict";

  function all(root, selector) { return Array.prototype.slice.call(root.querySelectorAll(selector)); }

  /* The page's words in its language: data-i18n-* attributes of <body> (base_site.html), English without them. */
  function text(name, fallback) {
    var value = document.body && document.body.dataset ? document.body.dataset["i18n" + name.charAt(0).toUpperCase() + name.slice(1)] : null;
    return value || fallback;
  }

  /* -- actions of the change list ---------------------------------------------------------------------- */

  function initActions(form) {
    var bar = form.querySelector(".actions");
    var toggle = form.querySelector("#action-toggle");
    var boxes = all(form, "input.action-select");
    if (!bar || !boxes.length) { return; }
    var counter = bar.querySelector(".action-counter");
    var across = bar.querySelector(".select-across");
    var question = bar.querySelector(".question");
    var allSelected = bar.querySelector(".all");
    var clear = bar.querySelector(".clear");
    var total = boxes.length;

    function update() {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      boxes.forEach(function (box) { box.closest("tr").classList.toggle("selected", box.checked); });
      if (toggle) { toggle.checked = checked === total; toggle.indeterminate = checked > 0 && checked < total; }
      if (counter) {
        var template = counter.getAttribute("data-template") || "{sel} of {cnt} selected";
        counter.textContent = template.replace("{sel}", checked).replace("{cnt}", total);
      }
      var everything = across && across.value === "1";
      if (question) { question.classList.toggle("hidden", !(checked === total) || everything); }
      if (allSelected) { allSelected.classList.toggle("hidden", !everything); }
      if (clear) { clear.classList.toggle("hidden", !everything); }
      if (counter) { counter.classList.toggle("hidden", everything); }
    }

    var last = null;
    boxes.forEach(function (box) {
      box.addEventListener("click", function (event) {
        if (event.shiftKey && last !== null) {
          var from = boxes.indexOf(last), to = boxes.indexOf(box);
          boxes.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (b) { b.checked = box.checked; });
        }
        last = box;
        if (across) { across.value = "0"; }
        update();
      });
    });
    if (toggle) {
      toggle.addEventListener("click", function () {
        boxes.forEach(function (box) { box.checked = toggle.checked; });
        if (across) { across.value = "0"; }
        update();
      });
    }
    if (question) {
      question.querySelector("a").addEventListener("click", function (event) {
        event.preventDefault();
        across.value = "1";
        update();
      });
    }
    if (clear) {
      clear.querySelector("a").addEventListener("click", function (event) {
        event.preventDefault();
        across.value = "0";
        boxes.forEach(function (box) { box.checked = false; });
        update();
      });
    }
    update();
  }

  /* -- inlines: "Add another" and removing a row that was added ------------------------------------------ */

  function initInline(group) {
    var prefix = group.getAttribute("data-inline-prefix");
    var template = group.querySelector("template.empty-form");
    var addRow = group.querySelector(".add-row");
    var totalInput = group.querySelector("input.total-forms");
    if (!template || !addRow || !totalInput) { return; }
    var maxNum = parseInt(group.getAttribute("data-max-num"), 10);
    var button = addRow.querySelector("button");

    function total() { return parseInt(totalInput.value, 10) || 0; }
    function refresh() { addRow.classList.toggle("hidden", !isNaN(maxNum) && total() >= maxNum); }

    function renumber() {
      var rows = all(group, ".dynamic-form");
      var initial = total() - rows.length;
      rows.forEach(function (row, offset) {
        var index = initial + offset;
        all(row, "[name], [id], [for]").forEach(function (element) {
          ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
            var value = element.getAttribute(attribute);
            if (value) {
              element.setAttribute(attribute, value.replace(new RegExp(prefix + "-(\\d+|__prefix__)-"), prefix + "-" + index + "-"));
            }
          });
        });
        row.id = prefix + "-" + index;
      });
    }

    button.addEventListener("click", function () {
      var index = total();
      var fragment = template.content.cloneNode(true);
      var html = document.createElement("div");
      html.appendChild(fragment);
      all(html, "[name], [id], [for]").forEach(function (element) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attribute) {
          var value = element.getAttribute(attribute);
          if (value) { element.setAttribute(attribute, value.split("__prefix__").join(String(index))); }
        });
      });
      var row = html.firstElementChild;
      row.id = prefix + "-" + index;
      template.parentNode.insertBefore(row, template);
      totalInput.value = index + 1;
      var remove = row.querySelector(".inline-deletelink");
      if (remove) {
        remove.addEventListener("click", function () {
          row.parentNode.removeChild(row);
          totalInput.value = total() - 1;
          renumber();
          refresh();
        });
      }
      initWidgets(row);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
      refresh();
    });
    refresh();
  }

  /* -- autocomplete_fields ----------------------------------------------------------------------------- */

  function initAutocomplete(select) {
    if (select.getAttribute("data-autocomplete-ready")) { return; }
    select.setAttribute("data-autocomplete-ready", "1");
    var url = select.getAttribute("data-autocomplete-url");
    if (!url) { return; }
    var multiple = select.multiple;
    var box = document.createElement("div");
    box.className = "autocomplete";
    var chosen = document.createElement("ul");
    chosen.className = "autocomplete-chosen";
    var input = document.createElement("input");
    input.type = "search";
    input.autocomplete = "off";
    input.placeholder = text("search", "Type to search…");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label) { input.setAttribute("aria-label", label.textContent.replace(/:$/, "")); }
    var results = document.createElement("ul");
    results.className = "autocomplete-results hidden";
    results.id = select.id + "-results";
    results.setAttribute("role", "listbox");
    input.setAttribute("aria-controls", results.id);
    select.classList.add("hidden");
    select.parentNode.insertBefore(box, select);
    box.appendChild(chosen);
    box.appendChild(input);
    box.appendChild(results);
    box.appendChild(select);

    function showChosen() {
      chosen.textContent = "";
      all(select, "option").forEach(function (option) {
        if (!option.selected || !option.value) { return; }
        var item = document.createElement("li");
        item.appendChild(document.createTextNode(option.textContent));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "✕";
        remove.setAttribute("aria-label", text("remove", "Remove %s").replace("%s", option.textContent));
        remove.addEventListener("click", function () {
          option.selected = false;
          if (!multiple) { select.value = ""; }
          showChosen();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
    }

    function choose(id, text) {
      var option = all(select, "option").filter(function (o) { return o.value === id; })[0];
      if (!option) {
        option = document.createElement("option");
        option.value = id;
        option.textContent = text;
        select.appendChild(option);
      }
      if (!multiple) { all(select, "option").forEach(function (o) { o.selected = false; }); }
      option.selected = true;
      input.value = "";
      close();
      showChosen();
    }

    function close() { results.classList.add("hidden"); input.setAttribute("aria-expanded", "false"); }

    var pending = null;
    function search() {
      var term = input.value;
      var query = url + (url.indexOf("?") < 0 ? "?" : "&") + "term=" + encodeURIComponent(term);
      var request = pending = fetch(query, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (request !== pending) { return; }
          results.textContent = "";
          (data.results || []).forEach(function (row, index) {
            var item = document.createElement("li");
            item.setAttribute("role", "option");
            item.id = results.id + "-" + index;
            item.textContent = row.text;
            item.addEventListener("mousedown", function (event) { event.preventDefault(); choose(String(row.id), row.text); });
            results.appendChild(item);
          });
          if (!results.children.length) {
            var none = document.createElement("li");
            none.className = "none";
            none.textContent = text("noResults", "No results found");
            results.appendChild(none);
          }
          results.classList.remove("hidden");
          input.setAttribute("aria-expanded", "true");
        });
    }

    var timer = null;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    input.addEventListener("focus", search);
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      var options = all(results, "li[role=option]");
      var current = options.findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!options.length) { return; }
        var next = event.key === "ArrowDown" ? Math.min(current + 1, options.length - 1) : Math.max(current - 1, 0);
        options.forEach(function (o, i) { o.setAttribute("aria-selected", i === next ? "true" : "false"); });
        input.setAttribute("aria-activedescendant", options[next].id);
      } else if (event.key === "Enter" && current >= 0) {
        event.preventDefault();
        options[current].dispatchEvent(new MouseEvent("mousedown"));
      } else if (event.key === "Escape") {
        close();
      }
    });
    showChosen();
  }

  /* -- prepopulated_fields and filter_horizontal ---------------------------------------------------------- */

  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^\w\s-]/g, "").trim().replace(/[-\s]+/g, "-").slice(0, 50);
  }

  function initPrepopulated(field) {
    var form = field.form;
    if (!form || field.getAttribute("data-prepopulate-ready")) { return; }
    field.setAttribute("data-prepopulate-ready", "1");
    var prefix = field.name.slice(0, field.name.lastIndexOf("-") + 1);
    var sources = field.getAttribute("data-prepopulate-from").split(",").map(function (name) {
      return form.elements[prefix + name] || form.elements[name];
    }).filter(Boolean);
    var edited = field.value !== "";
    field.addEventListener("input", function () { edited = field.value !== ""; });
    sources.forEach(function (source) {
      source.addEventListener("input", function () {
        if (edited) { return; }
        field.value = slugify(sources.map(function (s) { return s.value; }).join(" "));
      });
    });
  }

  function initFilteredSelect(select) {
    if (select.getAttribute("data-filter-ready")) { return; }
    select.setAttribute("data-filter-ready", "1");
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "select-filter";
    filter.placeholder = text("filter", "Filter");
    filter.setAttribute("aria-label", "Filter the choices");
    select.parentNode.insertBefore(filter, select);
    filter.addEventListener("input", function () {
      var term = filter.value.toLowerCase();
      all(select, "option").forEach(function (option) {
        option.hidden = term !== "" && option.textContent.toLowerCase().indexOf(term) < 0 && !option.selected;
      });
    });
  }

  function initWidgets(root) {
    all(root, "select.admin-autocomplete").forEach(initAutocomplete);
    all(root, "[data-prepopulate-from]").forEach(initPrepopulated);
    all(root, "select.filtered-select").forEach(initFilteredSelect);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // On a narrow screen the filters come first: folded, so the list is in view.
    if (window.matchMedia && window.matchMedia("(max-width: 60rem)").matches) {
      all(document, ".changelist-filter details").forEach(function (details) { details.open = false; });
    }
    var form = document.getElementById("changelist-form");
    if (form) { initActions(form); }
    all(document, ".js-inline-admin-formset").forEach(initInline);
    initWidgets(document);
  });
})();
