// casetrail's own page behaviour. No inline script or on*= handler anywhere: the
// Content-Security-Policy allows scripts from our static files only (docs/decisions/0005-content-security-policy.md).
"use strict";

// A <select data-submit-on-change> submits its form when changed (the language switch).
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-submit-on-change")) {
    target.form?.submit();
  }
});

// A button with data-confirm asks before it submits a move that cannot be undone.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-confirm]") : null;
  if (button && !window.confirm(button.getAttribute("data-confirm") || "")) {
    event.preventDefault();
  }
});

// The recipient's signature: drawn on a <canvas data-signature-pad="ID"> with a finger, a pen or
// a mouse, or a scan chosen in <input type=file data-signature-file="ID">; either lands in the
// hidden field ID as a data URL, which the server checks, hashes and keeps.
function signaturePad(canvas) {
  const field = document.getElementById(canvas.getAttribute("data-signature-pad"));
  const pen = canvas.getContext("2d");
  let drawing = false;
  let drawn = false;
  pen.lineWidth = 2.5;
  pen.lineCap = "round";
  pen.strokeStyle = "#000";
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    return [
      ((event.clientX - box.left) * canvas.width) / box.width,
      ((event.clientY - box.top) * canvas.height) / box.height,
    ];
  };
  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    pen.beginPath();
    pen.moveTo(...at(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    pen.lineTo(...at(event));
    pen.stroke();
    drawn = true;
  });
  const finish = () => {
    if (drawing && drawn && field) field.value = canvas.toDataURL("image/png");
    drawing = false;
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  return {
    clear() {
      pen.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      if (field) field.value = "";
    },
  };
}

document.querySelectorAll("canvas[data-signature-pad]").forEach((canvas) => {
  const pad = signaturePad(canvas);
  const id = canvas.getAttribute("data-signature-pad");
  document.querySelector(`[data-signature-clear="${id}"]`)?.addEventListener("click", () => pad.clear());
  document.querySelector(`[data-signature-file="${id}"]`)?.addEventListener("change", (event) => {
    const file = event.target.files?.[0];
    const field = document.getElementById(id);
    if (!file || !field) return;
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      field.value = String(reader.result);
    });
    reader.readAsDataURL(file);
  });
});
