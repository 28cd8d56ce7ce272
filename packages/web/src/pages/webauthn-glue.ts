/**
 * The page's side of a WebAuthn ceremony, served after @simplewebauthn/browser's bundle in one
 * script. Hand-written because it is the glue between our own markup and the library: it reads
 * the options from the page's inert JSON element, runs the ceremony when the person presses the
 * button, puts the browser's result in the form's hidden `credential` field and posts the form
 * (with its CSRF field) as any other page does. A cancel or an error shows a message and turns
 * the button into a retry; nothing is posted until the browser has an answer.
 *
 * Plain ES2017 with no imports: it runs as is in every browser that has WebAuthn. Every message
 * comes from the form's data attributes (the catalog of the page's language).
 */
export const WEBAUTHN_GLUE = `
(function () {
  'use strict';
  var lib = globalThis.SimpleWebAuthnBrowser;
  function start() {
    var form = document.getElementById('webauthn-form');
    var data = document.getElementById('webauthn-options');
    var problem = document.getElementById('webauthn-problem');
    var button = document.getElementById('webauthn-start');
    if (!form || !data || !problem || !button || !lib) return;
    var field = form.elements.namedItem('credential');
    var optionsJSON = JSON.parse(data.textContent);
    var registering = form.dataset.ceremony === 'registration';
    var busy = false;
    function show(message) {
      var earlier = document.getElementById('form-error');
      if (earlier) earlier.hidden = true;
      problem.textContent = message;
      problem.hidden = false;
    }
    if (!lib.browserSupportsWebAuthn()) {
      show(form.dataset.unsupported);
      button.hidden = true;
      return;
    }
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.disabled = true;
      var ceremony = registering
        ? lib.startRegistration({ optionsJSON: optionsJSON })
        : lib.startAuthentication({ optionsJSON: optionsJSON });
      ceremony.then(
        function (result) {
          field.value = JSON.stringify(result);
          form.submit();
        },
        function (error) {
          var name = error && error.name;
          show(
            name === 'NotAllowedError' || name === 'AbortError'
              ? form.dataset.cancelled
              : registering && name === 'InvalidStateError'
                ? form.dataset.registered
                : form.dataset.failed,
          );
          busy = false;
          button.disabled = false;
          button.textContent = form.dataset.retry;
          button.focus();
        },
      );
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;
