/* glassnet report: the iteration scrubber.
 *
 * Reads the numbers the Python run recorded (the JSON in #glassnet-data) and
 * formats them. It never trains or recomputes: every value shown, including
 * each worked sum's result, is an embedded number; the worked arithmetic only
 * writes out the terms that produced it.
 */
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("glassnet-data").textContent);
  var S = D.steps;
  var T = D.test || null;              // a run with held-out examples: the test curve beside the training one
  var nSteps = S.iteration.length;
  var nShown = D.X.length;             // examples whose per-example numbers are embedded
  var MAX_TERMS = 8;                   // terms written out in one worked sum
  var current = 0;

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* A number as the post prints it: 8 decimals; scientific when tiny or huge. */
  function fmt(v) {
    if (v === null || v === undefined) { return "NaN"; }
    if (v === 0) { return "0"; }
    var a = Math.abs(v);
    if (a < 1e-4 || a >= 1e7) { return v.toExponential(6); }
    return v.toFixed(8);
  }

  /* Inputs and targets: whole numbers without decimals, like the post. */
  function fmtData(v) {
    if (v !== null && Number.isInteger(v)) { return String(v); }
    return fmt(v);
  }

  function paren(text) { return text.charAt(0) === "-" ? "(" + text + ")" : text; }

  function inputName(i) { return D.input_names[i] || ("x" + (i + 1)); }

  /* The examples step t shows: the data's first nShown, or with mini-batches (S.rows) the
   * first of that iteration's batch, whose rows, inputs and targets are embedded per step. */
  var nData = D.layers[0].n_in, nTarget = D.layers[D.layers.length - 1].n_out;
  function shownAt(t) { return S.rows ? S.rows[t].length : nShown; }
  function exampleNumber(t, s) { return S.rows ? S.rows[t][s] + 1 : s + 1; }
  function target(t, s, j) { return S.y ? S.y[t][s * nTarget + j] : D.y[s][j]; }

  /* The inputs a layer reads for example s (layer 0: the data; others: the previous layer's a). */
  function layerInputs(l, t, s) {
    var nIn = D.layers[l].n_in;
    if (l === 0) { return S.X ? S.X[t].slice(s * nData, (s + 1) * nData) : D.X[s]; }
    return S.layers[l - 1].a[t].slice(s * nIn, (s + 1) * nIn);
  }

  /* Which examples the tables show, under them. */
  function shownNote(t) {
    if (S.batch) {
      return "<p class=\"hint\">Iteration #" + S.iteration[t].toLocaleString("en-US") + " trains on a mini-batch of " +
        S.batch[t] + " of the " + D.n_samples + " examples" + (S.batch[t] > shownAt(t) ? "; the first " + shownAt(t) + " of them are shown" : "") +
        ", numbered by their row in the data.</p>";
    }
    return D.n_samples > nShown ? "<p class=\"hint\">The first " + nShown + " of " + D.n_samples + " examples are shown.</p>" : "";
  }

  function cell(value, cls) {
    return "<td class=\"num " + cls + "\">" + esc(fmt(value)) + "</td>";
  }

  function direction(update) {
    if (update > 0) { return "<span class=\"up\">up</span>"; }
    if (update < 0) { return "<span class=\"down\">down</span>"; }
    return "unchanged";
  }

  function sumText(terms, total, extra) {
    var shown = terms.slice(0, MAX_TERMS).join(" + ");
    if (terms.length > MAX_TERMS) { shown += " + ... (" + terms.length + " terms)"; }
    return shown + (extra || "") + " = " + fmt(total);
  }

  function weightsTable(l, t) {
    var L = S.layers[l], spec = D.layers[l], rows = [];
    rows.push("<table id=\"weights-" + l + "\"><caption>Layer " + (l + 1) +
      " weights: before, update, after</caption><tr><th>weight</th><th>from</th><th>before</th>" +
      "<th>update &Delta;W</th><th>after</th><th></th></tr>");
    for (var i = 0; i < spec.n_in; i++) {
      for (var j = 0; j < spec.n_out; j++) {
        var k = i * spec.n_out + j;
        var from = l === 0 ? "input " + inputName(i) : "unit " + (i + 1) + " of layer " + l;
        rows.push("<tr><td class=\"label\">W" + l + "[" + i + "," + j + "]</td><td class=\"label\">" +
          esc(from) + " &rarr; unit " + (j + 1) + "</td>" + cell(L.W[t][k], "w-before") +
          cell(L.dW[t][k], "w-update") + cell(L.W_after[t][k], "w-after") +
          "<td class=\"label\">" + direction(L.dW[t][k]) + "</td></tr>");
      }
    }
    if (spec.bias) {
      for (var jb = 0; jb < spec.n_out; jb++) {
        rows.push("<tr><td class=\"label\">b" + l + "[" + jb + "]</td><td class=\"label\">bias of unit " +
          (jb + 1) + "</td>" + cell(L.b[t][jb], "b-before") +
          (L.db ? cell(L.db[t][jb], "b-update") + cell(L.b_after[t][jb], "b-after") : "<td>frozen</td><td></td>") +
          "<td class=\"label\">" + (L.db ? direction(L.db[t][jb]) : "") + "</td></tr>");
      }
    }
    rows.push("</table>");
    return rows.join("");
  }

  function examplesTable(l, t, last) {
    var L = S.layers[l], spec = D.layers[l], nOut = spec.n_out, rows = [];
    var id = last ? "predictions" : "activations-" + l;
    rows.push("<table id=\"" + id + "\"><caption>Layer " + (l + 1) + (last ? " (output): predictions" : ": activations") +
      "</caption><tr><th>example</th><th>inputs</th>" + (nOut > 1 ? "<th>unit</th>" : "") +
      "<th>dot product z</th><th>" + (last ? "prediction a" : "activation a") + "</th>" +
      (last ? "<th>target y</th>" : "") + "<th>error</th><th>f'(a)</th><th>delta</th></tr>");
    for (var s = 0; s < shownAt(t); s++) {
      var inputs = layerInputs(l, t, s).map(l === 0 ? fmtData : fmt).join(" ");
      for (var j = 0; j < nOut; j++) {
        var k = s * nOut + j;
        rows.push("<tr><td>" + exampleNumber(t, s) + "</td><td class=\"num label\">[" + esc(inputs) + "]</td>" +
          (nOut > 1 ? "<td>" + (j + 1) + "</td>" : "") + cell(L.z[t][k], "z") +
          cell(L.a[t][k], last ? "prediction" : "activation") +
          (last ? "<td class=\"num target\">" + esc(fmtData(target(t, s, j))) + "</td>" : "") +
          cell(L.error[t][k], "error") + cell(L.derivative[t][k], "derivative") + cell(L.delta[t][k], "delta") + "</tr>");
      }
    }
    rows.push("</table>");
    rows.push(shownNote(t));
    return rows.join("");
  }

  function forwardArithmetic(l, t) {
    var L = S.layers[l], spec = D.layers[l], lines = [];
    for (var s = 0; s < shownAt(t); s++) {
      var x = layerInputs(l, t, s);
      for (var j = 0; j < spec.n_out; j++) {
        var terms = [];
        for (var i = 0; i < spec.n_in; i++) {
          terms.push("(" + (l === 0 ? fmtData(x[i]) : fmt(x[i])) + " * " + fmt(L.W[t][i * spec.n_out + j]) + ")");
        }
        var bias = spec.bias ? " + " + paren(fmt(L.b[t][j])) : "";
        var k = s * spec.n_out + j;
        lines.push("example " + exampleNumber(t, s) + (spec.n_out > 1 ? ", unit " + (j + 1) : "") + ": z = " +
          sumText(terms, L.z[t][k], bias) + ";  a = " + spec.activation + "(z) = " + fmt(L.a[t][k]));
      }
    }
    return "<h4>Forward: dot products, then " + esc(spec.activation) + " = " + esc(spec.formula) + "</h4>" +
      "<div class=\"arith\" id=\"forward-" + l + "\">" + esc(lines.join("\n")) + "</div>";
  }

  function backwardArithmetic(l, t, last) {
    var L = S.layers[l], spec = D.layers[l], lines = [], nOut = spec.n_out;
    for (var s = 0; s < shownAt(t); s++) {
      for (var j = 0; j < nOut; j++) {
        var k = s * nOut + j, who = "example " + exampleNumber(t, s) + (nOut > 1 ? ", unit " + (j + 1) : "") + ": ";
        var errorText = last
          ? "error = y - a = " + fmtData(target(t, s, j)) + " - " + paren(fmt(L.a[t][k])) + " = " + fmt(L.error[t][k])
          : "error = delta(layer " + (l + 2) + ") . W" + (l + 2) + " row " + j + " = " + fmt(L.error[t][k]);
        var deltaText;
        if (last && D.loss.delta_formula === "y-a") {
          deltaText = "delta = y - a = " + fmt(L.delta[t][k]);
        } else {
          deltaText = "f'(a) = " + spec.grad_formula + " = " + fmt(L.derivative[t][k]) + ";  delta = error * f'(a) = " +
            fmt(L.error[t][k]) + " * " + paren(fmt(L.derivative[t][k])) + " = " + fmt(L.delta[t][k]);
        }
        lines.push(who + errorText + ";  " + deltaText);
      }
    }
    var title = last ? "Backward: error and delta (" + D.loss.name.replace(/_/g, " ") + ", delta = " + D.loss.delta_formula + ")"
                     : "Backward: error sent back from layer " + (l + 2) + ", and delta";
    return "<h4>" + esc(title) + "</h4><div class=\"arith\" id=\"backward-" + l + "\">" + esc(lines.join("\n")) + "</div>";
  }

  function updateArithmetic(l, t) {
    var L = S.layers[l], spec = D.layers[l], lines = [], lr = fmtData(D.learning_rate);
    for (var i = 0; i < spec.n_in; i++) {
      for (var j = 0; j < spec.n_out; j++) {
        var terms = [];
        for (var s = 0; s < shownAt(t); s++) {
          var x = layerInputs(l, t, s)[i];
          terms.push("(" + (l === 0 ? fmtData(x) : fmt(x)) + " * " + fmt(L.delta[t][s * spec.n_out + j]) + ")");
        }
        var k = i * spec.n_out + j;
        var inBatch = S.batch ? S.batch[t] : D.n_samples;
        var more = inBatch > shownAt(t) ? " + ... (" + inBatch + " examples)" : "";
        var sum = "(" + terms.slice(0, MAX_TERMS).join(" + ") + (terms.length > MAX_TERMS ? " + ..." : "") + more + ")";
        lines.push("dW" + l + "[" + i + "," + j + "] = " + (D.method ? "step from the gradient " + sum : lr + " * " + sum) +
          " = " + fmt(L.dW[t][k]) +
          ";  new W = " + fmt(L.W[t][k]) + " + " + paren(fmt(L.dW[t][k])) + " = " + fmt(L.W_after[t][k]));
      }
    }
    if (spec.bias && L.db) {
      for (var jb = 0; jb < spec.n_out; jb++) {
        lines.push("db" + l + "[" + jb + "] = " + (D.method ? "step from " : lr + " * ") + "(sum of the deltas of unit " + (jb + 1) + ") = " +
          fmt(L.db[t][jb]) + ";  new b = " + fmt(L.b[t][jb]) + " + " + paren(fmt(L.db[t][jb])) + " = " + fmt(L.b_after[t][jb]));
      }
    }
    var how = D.method
      ? "Update: the optimizer's step from the gradient (inputs . deltas), added to the weights (" + esc(D.method) +
        "; glassnet explain --iteration " + S.iteration[t] + " writes out its arithmetic)"
      : "Update: learning rate * (inputs . deltas), added to the weights";
    return "<h4>" + how + "</h4>" +
      "<div class=\"arith\" id=\"update-" + l + "\">" + esc(lines.join("\n")) + "</div>";
  }

  function render(t) {
    var k = S.iteration[t], nLayers = D.layers.length, html = [];
    html.push("<p class=\"headline\" id=\"current-iteration\" data-iteration=\"" + k + "\">Iteration #" + k.toLocaleString("en-US") + "</p>");
    html.push("<p class=\"stats\"><span>" + (T ? "training " : "") + "error sum (sum of |y - a|): <b class=\"num\" id=\"current-error-sum\">" +
      fmt(S.error_sum[t]) + "</b></span><span>loss (" + esc(D.loss.formula) + "): <b class=\"num\" id=\"current-loss\">" +
      fmt(S.loss[t]) + "</b></span><span>" + (S.applied[t] ? "this update was applied (it gives iteration #" +
      (k + 1).toLocaleString("en-US") + ")" : "the run ended here: this update was computed for display, not applied") +
      "</span></p>");
    if (T) {
      html.push("<p class=\"stats test-stats\"><span>held-out test (" + T.n_test + " examples, never trained on): error sum <b class=\"num\" id=\"current-test-error-sum\">" +
        fmt(T.error_sum[t]) + "</b>, loss <b class=\"num\" id=\"current-test-loss\">" + fmt(T.loss[t]) +
        "</b></span><span>error per example: <em class=\"train-key\">training</em> <b class=\"num\" id=\"current-train-mean-error\">" +
        fmt(T.train_mean_error[t]) + "</b>, <em class=\"test-key\">held-out test</em> <b class=\"num\" id=\"current-test-mean-error\">" +
        fmt(T.mean_error[t]) + "</b></span></p>");
    }
    for (var l = 0; l < nLayers; l++) {
      var last = l === nLayers - 1;
      html.push("<h3>Layer " + (l + 1) + " (" + D.layers[l].n_in + " &rarr; " + D.layers[l].n_out + ", " +
        esc(D.layers[l].activation) + ")</h3>");
      html.push(weightsTable(l, t));
      html.push(forwardArithmetic(l, t));
      html.push(examplesTable(l, t, last));
    }
    for (var lb = nLayers - 1; lb >= 0; lb--) { html.push(backwardArithmetic(lb, t, lb === nLayers - 1)); }
    for (var lu = 0; lu < nLayers; lu++) { html.push(updateArithmetic(lu, t)); }
    document.getElementById("step-view").innerHTML = html.join("\n");
  }

  /* ---- the error chart: error sum at each recorded iteration, log10(k + 1) axis ----
   * With held-out examples: the training and the test error per example (the
   * embedded means), blue and orange, so parts of different sizes compare. */
  var W = 900, H = 230, PAD = { l: 58, r: 34, t: 14, b: 36 };
  var xMax = Math.log10(S.iteration[nSteps - 1] + 1) || 1;
  var trainY = T ? T.train_mean_error : S.error_sum;
  var finite = trainY.concat(T ? T.mean_error : []).filter(function (v) { return v !== null; });
  var yMax = Math.max.apply(null, finite.concat([1e-12])) * 1.05;
  function px(k) { return PAD.l + (W - PAD.l - PAD.r) * Math.log10(k + 1) / xMax; }
  function py(v) { return PAD.t + (H - PAD.t - PAD.b) * (1 - v / yMax); }

  function linePath(values) {
    var d = [];
    for (var t = 0; t < nSteps; t++) {
      if (values[t] !== null) { d.push((d.length ? "L" : "M") + px(S.iteration[t]).toFixed(1) + " " + py(values[t]).toFixed(1)); }
    }
    return d.join("");
  }

  function drawChart() {
    var parts = ["<svg viewBox=\"0 0 " + W + " " + H + "\" role=\"img\" aria-label=\"" +
      (T ? "training and held-out test error per example" : "error sum") + " over the recorded iterations\">"];
    parts.push("<rect x=\"0\" y=\"0\" width=\"" + W + "\" height=\"" + H + "\" fill=\"none\"/>");
    for (var p = 0; Math.pow(10, p) - 1 <= S.iteration[nSteps - 1]; p++) {
      var tick = p === 0 ? 0 : Math.pow(10, p);
      var x = px(tick);
      parts.push("<line x1=\"" + x + "\" x2=\"" + x + "\" y1=\"" + PAD.t + "\" y2=\"" + (H - PAD.b) + "\" stroke=\"#ddd\"/>");
      parts.push("<text x=\"" + x + "\" y=\"" + (H - PAD.b + 16) + "\" font-size=\"12\" text-anchor=\"middle\">" +
        tick.toLocaleString("en-US") + "</text>");
    }
    for (var q = 0; q <= 4; q++) {
      var v = yMax * q / 4, y = py(v);
      parts.push("<line x1=\"" + PAD.l + "\" x2=\"" + (W - PAD.r) + "\" y1=\"" + y + "\" y2=\"" + y + "\" stroke=\"#ddd\"/>");
      parts.push("<text x=\"" + (PAD.l - 6) + "\" y=\"" + (y + 4) + "\" font-size=\"12\" text-anchor=\"end\">" + v.toFixed(2) + "</text>");
    }
    parts.push("<text x=\"" + ((W + PAD.l) / 2) + "\" y=\"" + (H - 4) + "\" font-size=\"12\" text-anchor=\"middle\">iteration (log scale of iteration + 1)</text>");
    parts.push("<text x=\"14\" y=\"" + (H / 2) + "\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 " + (H / 2) + ")\">" +
      (T ? "error per example" : "error sum") + "</text>");
    if (T) {
      parts.push("<path id=\"chart-train\" d=\"" + linePath(trainY) + "\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\"/>");
      parts.push("<path id=\"chart-test\" d=\"" + linePath(T.mean_error) + "\" fill=\"none\" stroke=\"#E69F00\" stroke-width=\"2\" stroke-dasharray=\"7 3\"/>");
      var lx = PAD.l + 14, ly = H - PAD.b - 30;  // bottom left: a falling curve is high there
      parts.push("<g id=\"chart-legend\" font-size=\"12\">" +
        "<line x1=\"" + lx + "\" x2=\"" + (lx + 26) + "\" y1=\"" + ly + "\" y2=\"" + ly + "\" stroke=\"#0072B2\" stroke-width=\"2\"/>" +
        "<text x=\"" + (lx + 32) + "\" y=\"" + (ly + 4) + "\">training (" + T.n_train + " examples)</text>" +
        "<line x1=\"" + lx + "\" x2=\"" + (lx + 26) + "\" y1=\"" + (ly + 18) + "\" y2=\"" + (ly + 18) + "\" stroke=\"#E69F00\" stroke-width=\"2\" stroke-dasharray=\"7 3\"/>" +
        "<text x=\"" + (lx + 32) + "\" y=\"" + (ly + 22) + "\">held-out test (" + T.n_test + " examples)</text></g>");
    } else {
      parts.push("<path d=\"" + linePath(S.error_sum) + "\" fill=\"none\" stroke=\"#0072B2\" stroke-width=\"2\"/>");
    }
    if (D.elbow !== null) {
      var ex = px(D.elbow);
      parts.push("<line x1=\"" + ex + "\" x2=\"" + ex + "\" y1=\"" + PAD.t + "\" y2=\"" + (H - PAD.b) + "\" stroke=\"#D55E00\" stroke-dasharray=\"3 3\"/>");
      // right of the line, or left of it where the text (about 7 px a character) would leave the chart
      var left = ex + 4 + 7 * D.elbow_text.length > W;
      parts.push("<text id=\"chart-elbow\" x=\"" + (left ? ex - 4 : ex + 4) + "\" y=\"" + (PAD.t + 12) + "\" font-size=\"12\" fill=\"#D55E00\"" +
        (left ? " text-anchor=\"end\"" : "") + ">" + esc(D.elbow_text) + "</text>");
    }
    parts.push("<line id=\"chart-cursor\" x1=\"0\" x2=\"0\" y1=\"" + PAD.t + "\" y2=\"" + (H - PAD.b) + "\" stroke=\"#000\" stroke-width=\"1\"/>");
    parts.push("<circle id=\"chart-marker\" r=\"6\" cx=\"0\" cy=\"0\" fill=\"" + (T ? "#0072B2" : "#E69F00") + "\" stroke=\"#000\"/>");
    if (T) { parts.push("<rect id=\"chart-marker-test\" width=\"10\" height=\"10\" x=\"0\" y=\"0\" fill=\"#E69F00\" stroke=\"#000\"/>"); }
    parts.push("<text id=\"chart-label\" x=\"0\" y=\"0\" font-size=\"12\"></text>");
    parts.push("</svg>");
    document.getElementById("error-chart").innerHTML = parts.join("");
  }

  function markChart(t) {
    var k = S.iteration[t], x = px(k), v = trainY[t];
    var marker = document.getElementById("chart-marker");
    var cursor = document.getElementById("chart-cursor");
    var label = document.getElementById("chart-label");
    cursor.setAttribute("x1", x); cursor.setAttribute("x2", x);
    marker.setAttribute("cx", x); marker.setAttribute("cy", v === null ? PAD.t : py(v));
    marker.setAttribute("data-iteration", k);
    label.setAttribute("x", Math.min(x + 8, W - 190)); label.setAttribute("y", v === null ? PAD.t + 28 : Math.max(py(v) - 10, PAD.t + 28));
    label.textContent = "#" + k.toLocaleString("en-US") + ": " + fmt(v);
    if (T) {
      var vt = T.mean_error[t], square = document.getElementById("chart-marker-test");
      square.setAttribute("x", x - 5); square.setAttribute("y", (vt === null ? PAD.t : py(vt)) - 5);
      square.setAttribute("data-iteration", k);
      label.setAttribute("x", Math.min(x + 8, W - 300));
      label.textContent = "#" + k.toLocaleString("en-US") + ": training " + fmt(v) + ", test " + fmt(vt);
    }
  }

  /* ---- navigation ---- */
  var slider = document.getElementById("scrub-slider");
  var box = document.getElementById("scrub-number");
  var note = document.getElementById("scrub-note");

  /* Index of the recorded iteration nearest to k (ties: the earlier one). */
  function nearest(k) {
    var lo = 0, hi = nSteps - 1;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (S.iteration[mid] < k) { lo = mid + 1; } else { hi = mid; }
    }
    if (lo > 0 && Math.abs(S.iteration[lo - 1] - k) <= Math.abs(S.iteration[lo] - k)) { return lo - 1; }
    return lo;
  }

  function show(t, fromBox) {
    t = Math.max(0, Math.min(nSteps - 1, t));
    current = t;
    slider.value = String(t);
    if (!fromBox) { box.value = String(S.iteration[t]); note.textContent = ""; }
    render(t);
    markChart(t);
    if (window.glassnetBoundary) { window.glassnetBoundary.show(S.iteration[t]); }  // a run in a plane (boundary.js)
  }

  function fromNumberBox() {
    var k = parseInt(box.value, 10);
    if (isNaN(k)) { note.textContent = "type an iteration from 0 to " + D.iterations; return; }
    var t = nearest(Math.max(0, Math.min(D.iterations, k)));
    note.textContent = S.iteration[t] === k ? "" : "iteration " + k + " is not recorded; showing #" + S.iteration[t] + ", the nearest recorded";
    show(t, true);
  }

  slider.max = String(nSteps - 1);
  box.max = String(D.iterations);
  slider.addEventListener("input", function () { show(parseInt(slider.value, 10), false); });
  box.addEventListener("input", fromNumberBox);
  box.addEventListener("change", fromNumberBox);
  document.getElementById("scrub-prev").addEventListener("click", function () { show(current - 1, false); });
  document.getElementById("scrub-next").addEventListener("click", function () { show(current + 1, false); });
  document.addEventListener("keydown", function (event) {
    if (event.target === slider || event.altKey || event.ctrlKey || event.metaKey) { return; }  // the slider steps itself
    if (event.key === "ArrowRight") { show(current + 1, false); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { show(current - 1, false); event.preventDefault(); }
  });
  document.getElementById("error-chart").addEventListener("click", function (event) {
    var svg = this.querySelector("svg"), box_ = svg.getBoundingClientRect();
    var x = (event.clientX - box_.left) * W / box_.width;
    var k = Math.pow(10, (x - PAD.l) / (W - PAD.l - PAD.r) * xMax) - 1;
    show(nearest(Math.round(k)), false);
  });

  drawChart();
  show(0, false);
  window.glassnetReadyMs = performance.now();
  document.body.setAttribute("data-ready", "1");
})();
