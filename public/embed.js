// The embed view (/embed) in a docs page's frame: tells the framing page the
// content's height whenever it changes, so the frame can fit it (no inner scrollbar).
// The height is not a secret, so any parent may hear it; the embed code checks
// that the message comes from this frame and this origin.
if (window.parent !== window) {
  let last = 0;
  const send = () => {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      window.parent.postMessage({ type: "fluxplay:height", height }, "*");
    }
  };
  new ResizeObserver(send).observe(document.body);
  addEventListener("load", send);
}
