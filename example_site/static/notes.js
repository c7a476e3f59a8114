// The note form's script: a live "characters left" line under each field that has a maximum
// length (the title). Imported by templates/example_site/note_form.html, whose inline module
// runs under the site's Content-Security-Policy with the response's nonce.

export function countCharacters(form) {
  if (!form) {
    return;
  }
  for (const field of form.querySelectorAll("input[maxlength], textarea[maxlength]")) {
    const max = Number(field.getAttribute("maxlength"));
    const counter = document.createElement("p");
    counter.className = "char-count";
    counter.id = `${field.id}-count`;
    counter.setAttribute("aria-live", "polite");
    field.insertAdjacentElement("afterend", counter);
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
    const update = () => {
      const left = max - field.value.length;
      counter.textContent = `${left} character${left === 1 ? "" : "s"} left`;
      counter.classList.toggle("few", left < 10);
    };
    field.addEventListener("input", update);
    update();
  }
}
