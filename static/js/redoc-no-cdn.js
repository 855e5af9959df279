// Before Redoc (/api/redoc/): its sidebar shows Redocly's logo from their CDN, which the
// Content-Security-Policy refuses (img-src 'self'), with an error in the console. Give that image
// no address instead: it fails at once and Redoc leaves it out (its onError), so the page asks
// nothing of another site. Every other image is set as usual.
(function () {
  "use strict";
  var CDN = "https://cdn.redoc.ly/";
  var local = function (value) {
    return String(value).indexOf(CDN) === 0 ? "" : value;
  };
  var src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  Object.defineProperty(HTMLImageElement.prototype, "src", {
    configurable: true,
    enumerable: src.enumerable,
    get: src.get,
    set: function (value) {
      src.set.call(this, local(value));
    },
  });
  var setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    var image = this instanceof HTMLImageElement && String(name).toLowerCase() === "src";
    return setAttribute.call(this, name, image ? local(value) : value);
  };
})();
