// episode-archive: times in a transcript seek the episode's audio player.
// A time link (a.ea-time) still works without JavaScript: it scrolls to its paragraph (#t=HH:MM:SS).
(function () {
  "use strict";

  function seconds(anchor) {
    var match = /^#?t=(\d+):(\d{2}):(\d{2})$/.exec(anchor || "");
    return match ? (+match[1]) * 3600 + (+match[2]) * 60 + (+match[3]) : null;
  }

  function seek(player, at, play) {
    var go = function () {
      player.currentTime = at;
      if (play) {
        var started = player.play();
        if (started && started.catch) started.catch(function () {});
      }
    };
    if (player.readyState >= 1) go();
    else player.addEventListener("loadedmetadata", go, { once: true });
  }

  function setup() {
    var player = document.querySelector("audio.ea-player");
    if (!player || player.dataset.eaReady) return;
    player.dataset.eaReady = "1";
    var start = seconds(decodeURIComponent(location.hash));
    if (start !== null) {
      player.preload = "auto";
      seek(player, start, false);
    }
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a.ea-time");
      if (!link) return;
      var at = link.dataset.start ? Number(link.dataset.start) : seconds(link.getAttribute("href"));
      if (at === null) return;
      seek(player, at, true);
    });
  }

  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
