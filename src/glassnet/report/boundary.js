/* glassnet report: the decision boundary over the input plane, moved by the iteration scrubber.
 *
 * Reads the pictures the Python run computed (the JSON in #glassnet-boundary:
 * the network's output on a grid of the plane at some recorded iterations, one
 * byte per grid point) and paints them; it computes no network output. The
 * scrubber (report.js) calls glassnetBoundary.show(k) with the iteration it
 * shows; the picture is the latest embedded one at or before k.
 */
(function () {
  "use strict";
  var B = JSON.parse(document.getElementById("glassnet-boundary").textContent);
  var canvas = document.getElementById("boundary-canvas");
  var label = document.getElementById("boundary-label");
  var ctx = canvas.getContext("2d");
  var N = B.resolution;
  var PAD = { l: 50, r: 12, t: 12, b: 44 };             // room for the tick labels and axis names
  var plotW = canvas.width - PAD.l - PAD.r, plotH = canvas.height - PAD.t - PAD.b;
  var BLUE = [0, 114, 178], ORANGE = [230, 159, 0], WHITE = [255, 255, 255], GREY = [187, 187, 187];
  var CLASS_COLORS = [[0, 114, 178], [230, 159, 0], [0, 158, 115], [213, 94, 0], [204, 121, 167],
                      [86, 180, 233], [240, 228, 66], [0, 0, 0]];   // Okabe-Ito, as the PNG plots
  var TINT = 0.6;                                         // the map's ends: 60 % colour, 40 % white
  var NOT_FINITE = 255, STEPS = 254;

  function mix(rgb, weight) {                             // rgb blended with white; weight 1: the colour
    return [255 - weight * (255 - rgb[0]), 255 - weight * (255 - rgb[1]), 255 - weight * (255 - rgb[2])];
  }

  /* Byte q -> colour: the output low + q * step on blue -> white (at the centre) -> orange. */
  var VALUE_COLORS = [];
  for (var q = 0; q <= STEPS; q++) {
    if (B.kind !== "value") { break; }
    var v = B.low + q * B.step, side;
    if (v < B.center) { side = (B.center - v) / (B.center - B.low); VALUE_COLORS.push(mix(BLUE, TINT * side)); }
    else { side = B.high > B.center ? (v - B.center) / (B.high - B.center) : 0; VALUE_COLORS.push(mix(ORANGE, TINT * side)); }
  }

  function decode(b64) {
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }
  var decoded = {};                                       // frame index -> [values, classes]
  function frame(f) {
    if (!decoded[f]) { decoded[f] = [decode(B.frames[f]), B.classes ? decode(B.classes[f]) : null]; }
    return decoded[f];
  }

  var grid = document.createElement("canvas");            // one pixel per grid point, scaled up smoothly
  grid.width = N; grid.height = N;
  var gridCtx = grid.getContext("2d");

  function paintGrid(f) {
    var data = frame(f), values = data[0], classes = data[1];
    var image = gridCtx.createImageData(N, N), K = B.n_classes || 1;
    for (var i = 0; i < N; i++) {
      for (var j = 0; j < N; j++) {
        var at = i * N + j, q = values[at], rgb;
        if (q === NOT_FINITE) { rgb = GREY; }
        else if (classes) {
          var c = classes[at];
          if (c === NOT_FINITE) { rgb = GREY; }
          else {
            var p = q * B.step, strength = Math.max(0, Math.min(1, (p - 1 / K) / (1 - 1 / K)));
            rgb = mix(CLASS_COLORS[c % CLASS_COLORS.length], TINT * strength);
          }
        } else { rgb = VALUE_COLORS[q]; }
        var px = ((N - 1 - i) * N + j) * 4;                  // row i is x2[i]: bottom to top
        image.data[px] = rgb[0]; image.data[px + 1] = rgb[1]; image.data[px + 2] = rgb[2]; image.data[px + 3] = 255;
      }
    }
    gridCtx.putImageData(image, 0, 0);
  }

  /* Grid point (x1, x2) -> canvas pixel; each grid value sits at the centre of its cell. */
  var cellW = plotW / N, cellH = plotH / N;
  function cx(x) { return PAD.l + cellW / 2 + (x - B.x1[0]) / (B.x1[1] - B.x1[0]) * (plotW - cellW); }
  function cy(y) { return PAD.t + plotH - cellH / 2 - (y - B.x2[0]) / (B.x2[1] - B.x2[0]) * (plotH - cellH); }

  function niceTicks(lo, hi) {
    var span = hi - lo, step = Math.pow(10, Math.floor(Math.log10(span / 4)));
    if (span / step > 20) { step *= 5; } else if (span / step > 8) { step *= 2; }
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) { ticks.push(Math.abs(t) < 1e-12 * span ? 0 : t); }
    return ticks;
  }
  function tickText(t) { return Math.abs(t) >= 1e4 || (Math.abs(t) < 1e-3 && t !== 0) ? t.toExponential(1) : String(+t.toPrecision(6)); }

  function drawAxes() {
    ctx.fillStyle = "#000"; ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
    ctx.strokeRect(PAD.l + 0.5, PAD.t + 0.5, plotW - 1, plotH - 1);
    ctx.font = "12px system-ui, sans-serif";
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    niceTicks(B.x1[0], B.x1[1]).forEach(function (t) {
      var x = cx(t);
      ctx.beginPath(); ctx.moveTo(x, PAD.t + plotH); ctx.lineTo(x, PAD.t + plotH + 5); ctx.stroke();
      ctx.fillText(tickText(t), x, PAD.t + plotH + 7);
    });
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    niceTicks(B.x2[0], B.x2[1]).forEach(function (t) {
      var y = cy(t);
      ctx.beginPath(); ctx.moveTo(PAD.l - 5, y); ctx.lineTo(PAD.l, y); ctx.stroke();
      ctx.fillText(tickText(t), PAD.l - 7, y);
    });
    ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.fillText(B.names[0], PAD.l + plotW / 2, canvas.height - 2);
    ctx.save(); ctx.translate(13, PAD.t + plotH / 2); ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle"; ctx.fillText(B.names[1], 0, 0); ctx.restore();
  }

  /* Training examples: full colours with a dark edge; class 0 circles, class 1 triangles. */
  function drawPoints() {
    ctx.lineWidth = 0.8; ctx.strokeStyle = "#1a1a1a";
    for (var s = 0; s < B.points.length; s++) {
      var p = B.points[s], y = B.targets[s];
      if (p[0] === null || p[1] === null || y === null) { continue; }
      var x0 = cx(p[0]), y0 = cy(p[1]), rgb, cls;
      if (B.kind === "classes") { cls = y; rgb = CLASS_COLORS[y % CLASS_COLORS.length]; }
      else {
        cls = y >= B.center ? 1 : 0;
        rgb = y === 0 || y === 1 ? (y === 1 ? ORANGE : BLUE) : VALUE_COLORS[Math.round(Math.max(0, Math.min(1, (y - B.low) / (B.high - B.low))) * STEPS)];
      }
      ctx.fillStyle = "rgb(" + rgb[0] + "," + rgb[1] + "," + rgb[2] + ")";
      ctx.beginPath();
      if (cls % 2 === 1) { ctx.moveTo(x0, y0 - 4.5); ctx.lineTo(x0 + 4.2, y0 + 3); ctx.lineTo(x0 - 4.2, y0 + 3); ctx.closePath(); }
      else { ctx.arc(x0, y0, 3.5, 0, 2 * Math.PI); }
      ctx.fill(); ctx.stroke();
    }
  }

  /* Index of the latest embedded picture at or before iteration k. */
  function latest(k) {
    var lo = 0, hi = B.iterations.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (B.iterations[mid] <= k) { lo = mid; } else { hi = mid - 1; }
    }
    return lo;
  }

  var shownFrame = -1;
  function show(k) {
    var f = latest(k), at = B.iterations[f];
    label.textContent = "Decision boundary at iteration #" + at.toLocaleString("en-US") +
      (at === k ? "" : " (the latest picture at or before #" + k.toLocaleString("en-US") + ")");
    label.setAttribute("data-iteration", String(at));
    if (f === shownFrame) { return; }
    shownFrame = f;
    paintGrid(f);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(grid, PAD.l, PAD.t, plotW, plotH);
    drawAxes();
    drawPoints();
    canvas.setAttribute("data-iteration", String(at));
  }

  window.glassnetBoundary = { show: show, iterations: B.iterations };
})();
