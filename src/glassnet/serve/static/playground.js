// glassnet playground: the page. Plain JavaScript, no build step, nothing fetched from elsewhere.
// The server computes every number (glassnet's core); this script only draws what it is sent
// and sends what the user does (the messages of glassnet/serve/protocol.py).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const SVG = "http://www.w3.org/2000/svg";
  const POS = [245, 147, 34];   // orange: positive
  const NEG = [8, 119, 189];    // blue: negative

  const state = {
    ws: null,
    session: null,
    options: null,
    limits: null,
    setup: null,
    frame: null,
    part: null,
    playing: false,
    dirty: false,
    reportWindow: null,
    closed: false,
  };
  window.glassnet = state;  // for whoever scripts the page

  // ------------------------------------------------------------------ numbers

  // The explainer's style for one number (glassnet.explain.numbers.fmt with 4 significant
  // digits): .3929, -.4277, 12.01; tiny ones in scientific notation.
  function fmt(x, digits = 4) {
    if (x === null || x === undefined) return "\u2013";
    if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : (x > 0 ? "inf" : "-inf");
    if (x === 0) return "0";
    const exponent = Math.floor(Math.log10(Math.abs(x)));
    const decimals = Math.max(0, digits - 1 - exponent);
    if (decimals > 15) return x.toExponential(digits - 1).replace("e-", "e-");
    let text = x.toFixed(decimals);
    if (text.startsWith("0.")) text = text.slice(1);
    else if (text.startsWith("-0.")) text = "-" + text.slice(2);
    return text;
  }

  function commas(k) { return k.toLocaleString("en-US"); }

  // ------------------------------------------------------------------ messages

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(`${scheme}://${location.host}/ws`);
    state.ws = ws;
    ws.onmessage = (event) => receive(JSON.parse(event.data));
    ws.onclose = () => {
      state.closed = true;
      if (!$("notice").classList.contains("error")) {
        notice("The connection to glassnet serve is closed; reload the page to start again.", true);
      }
      document.body.dataset.closed = "1";
    };
  }

  function send(message) {
    if (state.ws && state.ws.readyState === WebSocket.OPEN) state.ws.send(JSON.stringify(message));
  }

  function receive(m) {
    switch (m.type) {
      case "hello":
        state.session = m.session;
        state.options = m.options;
        state.limits = m.limits;
        document.body.dataset.session = m.session;
        break;
      case "setup":
        state.setup = m;
        buildSettings(m.settings);
        buildNetwork();
        state.dirty = true;
        break;
      case "frame":
        state.frame = m;
        state.playing = m.playing;
        state.dirty = true;
        break;
      case "arithmetic":
        if (m.part === state.part) showArithmetic(m);
        break;
      case "file":
        gotFile(m);
        break;
      case "notice":
        notice(m.message, false);
        break;
      case "error":
        notice(m.message, true);
        break;
    }
  }

  let noticeTimer = null;
  function notice(text, error, link) {
    const box = $("notice");
    box.textContent = text;
    if (link) {
      const a = document.createElement("a");
      a.href = link;
      a.target = "_blank";
      a.rel = "noopener";
      a.textContent = " open it";
      box.append(a);
    }
    box.classList.toggle("error", Boolean(error));
    box.hidden = false;
    clearTimeout(noticeTimer);
    if (!error) noticeTimer = setTimeout(() => { box.hidden = true; }, 8000);
  }

  function gotFile(m) {
    if (m.kind === "export") {
      const a = document.createElement("a");
      a.href = m.url;
      a.download = "glassnet-playground.zip";
      document.body.append(a);
      a.click();
      a.remove();
      notice("Exported: glassnet-playground.zip (the experiment, its edits and the run).");
    } else {
      const w = state.reportWindow;
      state.reportWindow = null;
      if (w && !w.closed) {
        w.location = m.url;
        notice("The report is open in a new tab.", false, m.url);
      } else {
        notice("The report is ready:", false, m.url);
      }
    }
  }

  // ------------------------------------------------------------------ settings

  function fillSelect(select, names, value) {
    select.replaceChildren(...names.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name.replaceAll("_", " ");
      return option;
    }));
    select.value = value;
  }

  function buildSettings(s) {
    const o = state.options;
    const datasets = [...o.datasets];
    const labels = {};
    if (s.csv_name) { datasets.push("csv"); labels.csv = `CSV: ${s.csv_name}`; }
    if (s.dataset === "points") { datasets.push("points"); labels.points = "your points"; }
    fillSelect($("dataset"), datasets, s.dataset);
    for (const option of $("dataset").options) {
      if (labels[option.value]) option.textContent = labels[option.value];
    }
    const planar = o.planar.includes(s.dataset);
    $("planar-settings").hidden = !planar;
    $("n").value = s.n;
    $("noise").value = s.noise;
    $("data-seed").value = s.data_seed;
    $("features").replaceChildren(...o.features.map((name) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = s.features.includes(name);
      box.addEventListener("change", () => {
        const chosen = [...$("features").querySelectorAll("input")]
          .filter((b) => b.checked).map((b) => b.parentElement.dataset.name);
        configure({ features: chosen });
      });
      label.dataset.name = name;
      label.append(box, name);
      return label;
    }));
    $("standardize").checked = s.standardize;
    $("n-hidden").textContent = s.hidden.length;
    fillSelect($("activation"), o.hidden_activations, s.activation);
    fillSelect($("output"), o.output_activations, s.output);
    $("bias").checked = s.bias;
    fillSelect($("loss-name"), o.losses, s.loss);
    fillSelect($("optimizer"), o.optimizers, s.optimizer);
    $("batch-size").value = s.batch_size === null ? "" : s.batch_size;
    $("l2").value = s.l2;
    $("seed-line").textContent = s.seed === null ? "initial weights from the experiment file"
      : `initial weights: numpy seed ${s.seed}`;
    $("engine-line").textContent = `engine: ${state.setup.engine}`;
    const plane = state.setup.data.plane !== null;
    $("points-settings").hidden = !plane;
    $("no-plane").hidden = plane;
    $("boundary").hidden = !plane;
  }

  function configure(changes) { send({ type: "configure", settings: changes }); }

  function number(input, whole) {
    const value = Number(input.value);
    if (input.value.trim() === "" || !Number.isFinite(value)) return null;
    return whole ? Math.round(value) : value;
  }

  function wireSettings() {
    $("dataset").addEventListener("change", (e) => configure({ dataset: e.target.value }));
    $("n").addEventListener("change", (e) => { const v = number(e.target, true); if (v !== null) configure({ n: v }); });
    $("noise").addEventListener("change", (e) => { const v = number(e.target); if (v !== null) configure({ noise: v }); });
    $("data-seed").addEventListener("change", (e) => { const v = number(e.target, true); if (v !== null) configure({ data_seed: v }); });
    $("standardize").addEventListener("change", (e) => configure({ standardize: e.target.checked }));
    $("activation").addEventListener("change", (e) => configure({ activation: e.target.value }));
    $("output").addEventListener("change", (e) => configure({ output: e.target.value }));
    $("bias").addEventListener("change", (e) => configure({ bias: e.target.checked }));
    $("loss-name").addEventListener("change", (e) => configure({ loss: e.target.value }));
    $("optimizer").addEventListener("change", (e) => configure({ optimizer: e.target.value }));
    $("batch-size").addEventListener("change", (e) => configure({ batch_size: number(e.target, true) }));
    $("l2").addEventListener("change", (e) => { const v = number(e.target); if (v !== null) configure({ l2: v }); });
    $("add-layer").addEventListener("click", () => {
      const hidden = state.setup.settings.hidden;
      configure({ hidden: [...hidden, hidden.length ? hidden[hidden.length - 1] : 4] });
    });
    $("remove-layer").addEventListener("click", () => {
      configure({ hidden: state.setup.settings.hidden.slice(0, -1) });
    });
    $("upload").addEventListener("change", (e) => {
      const file = e.target.files[0];
      e.target.value = "";
      if (file) upload(file);
    });
  }

  async function upload(file) {
    notice(`reading ${file.name}...`);
    try {
      const response = await fetch(`upload?session=${encodeURIComponent(state.session)}`, {
        method: "POST",
        body: file,
        headers: { "X-Filename": encodeURIComponent(file.name), "Content-Type": "text/csv" },
      });
      const answer = await response.json().catch(() => ({ error: `the server answered ${response.status}` }));
      if (answer.error) notice(answer.error, true);
      else notice(`training on ${file.name}`);
    } catch (err) {
      notice(`upload ${file.name}: ${err.message}`, true);
    }
  }

  // ------------------------------------------------------------------ the network diagram

  const diagram = { edges: new Map(), units: new Map(), labels: new Map() };

  function layout() {
    const sizes = state.setup.network.sizes;
    const box = $("network").getBoundingClientRect();
    const width = Math.max(box.width, 300);
    const height = Math.max(box.height, 300);
    const left = 40, right = width - 40, top = 50, bottom = height - 30;
    const xs = sizes.map((_, l) => sizes.length === 1 ? width / 2 : left + (right - left) * l / (sizes.length - 1));
    const ys = sizes.map((n) => {
      const step = Math.min(56, (bottom - top) / Math.max(n, 1));
      const start = (top + bottom) / 2 - step * (n - 1) / 2;
      return Array.from({ length: n }, (_, j) => start + step * j);
    });
    const unitSize = Math.max(14, Math.min(40, ...ys.map((column, l) => column.length > 1 ? column[1] - column[0] - 8 : 40)));
    return { xs, ys, unitSize, width, height };
  }

  function select(part) {
    state.part = part;
    for (const element of document.querySelectorAll(".selected")) element.classList.remove("selected");
    const element = diagram.edges.get(part) || diagram.units.get(part);
    if (element) element.classList.add("selected");
    send({ type: "select", part });
    $("arithmetic").hidden = part === null;
    if (part !== null) {
      $("part-title").textContent = part;
      $("arithmetic-text").textContent = "working it out...";
    }
  }

  function buildNetwork() {
    const net = state.setup.network;
    const { xs, ys, unitSize } = layout();
    const svg = $("edges");
    svg.replaceChildren();
    diagram.edges.clear();
    diagram.units.clear();
    diagram.labels.clear();
    const few = net.sizes.slice(0, -1).reduce((sum, n, l) => sum + n * net.sizes[l + 1], 0) <= 6;
    for (let l = 0; l + 1 < net.sizes.length; l++) {
      for (let i = 0; i < net.sizes[l]; i++) {
        for (let j = 0; j < net.sizes[l + 1]; j++) {
          const name = `W${l}[${i},${j}]`;
          const g = document.createElementNS(SVG, "g");
          g.classList.add("edge");
          g.dataset.testid = `edge-W${l}-${i}-${j}`;
          g.setAttribute("data-testid", `edge-W${l}-${i}-${j}`);
          g.dataset.part = name;
          const [x1, y1, x2, y2] = [xs[l] + unitSize / 2, ys[l][i], xs[l + 1] - unitSize / 2, ys[l + 1][j]];
          // a band around the line takes the clicks (a level line alone has no height)
          const hit = document.createElementNS(SVG, "path");
          hit.classList.add("hit");
          hit.setAttribute("d", `M${x1},${y1 - 5}L${x2},${y2 - 5}L${x2},${y2 + 5}L${x1},${y1 + 5}Z`);
          const line = document.createElementNS(SVG, "line");
          line.classList.add("line");
          line.setAttribute("x1", x1); line.setAttribute("y1", y1);
          line.setAttribute("x2", x2); line.setAttribute("y2", y2);
          g.append(hit, line);
          const title = document.createElementNS(SVG, "title");
          g.append(title);
          g.addEventListener("click", () => select(name));
          svg.append(g);
          diagram.edges.set(name, g);
          if (few) {
            const text = document.createElementNS(SVG, "text");
            text.setAttribute("x", x1 + (x2 - x1) * 0.3);
            text.setAttribute("y", y1 + (y2 - y1) * 0.3 - 4);
            text.setAttribute("data-testid", `weight-W${l}-${i}-${j}`);
            svg.append(text);
            diagram.labels.set(name, text);
          }
        }
      }
    }
    const units = $("units");
    units.replaceChildren();
    const plane = state.setup.data.plane !== null;
    net.sizes.forEach((n, layer) => {
      for (let j = 0; j < n; j++) {
        const div = document.createElement("div");
        div.className = "unit" + (layer === 0 ? " input" : "");
        div.dataset.testid = `unit-${layer}-${j}`;
        div.setAttribute("data-testid", `unit-${layer}-${j}`);
        div.style.left = `${xs[layer]}px`;
        div.style.top = `${ys[layer][j]}px`;
        div.style.width = div.style.height = `${unitSize}px`;
        div.style.margin = `${-unitSize / 2}px 0 0 ${-unitSize / 2}px`;
        const name = net.units[layer][j];
        if (layer > 0 && plane) {
          const canvas = document.createElement("canvas");
          div.append(canvas);
        } else {
          div.append(document.createTextNode(layer === 0 ? name : ""));
        }
        const label = document.createElement("span");
        label.className = "name";
        label.textContent = layer === 0 ? "" : name;
        div.append(label);
        const part = `unit:${layer}:${j}`;
        div.title = name;
        div.addEventListener("click", () => select(part));
        units.append(div);
        diagram.units.set(part, div);
      }
      if (layer > 0 && layer < net.sizes.length - 1) {
        const buttons = document.createElement("div");
        buttons.className = "layer-buttons";
        buttons.style.left = `${xs[layer]}px`;
        const minus = document.createElement("button");
        minus.className = "small";
        minus.textContent = "\u2212";
        minus.dataset.testid = `remove-unit-${layer}`;
        minus.setAttribute("data-testid", `remove-unit-${layer}`);
        const plus = document.createElement("button");
        plus.className = "small";
        plus.textContent = "+";
        plus.setAttribute("data-testid", `add-unit-${layer}`);
        const change = (delta) => {
          const hidden = [...state.setup.settings.hidden];
          hidden[layer - 1] = Math.max(1, hidden[layer - 1] + delta);
          configure({ hidden });
        };
        minus.addEventListener("click", () => change(-1));
        plus.addEventListener("click", () => change(+1));
        buttons.append(minus, `${n}`, plus);
        units.append(buttons);
      }
    });
    const text = document.createElementNS(SVG, "text");
    text.classList.add("layer-head");
    svg.append(text);
    if (state.part && !diagram.edges.has(state.part) && !diagram.units.has(state.part)) select(null);
    $("arithmetic").hidden = state.part === null;
  }

  function color(rgb, alpha) { return `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${alpha})`; }

  function drawNetwork(frame) {
    const net = state.setup.network;
    let largest = 0;
    for (const w of frame.weights) for (const row of w) for (const v of row) {
      if (Number.isFinite(v)) largest = Math.max(largest, Math.abs(v));
    }
    const scale = largest > 0 ? 6 / Math.max(largest, 1) : 1;
    frame.weights.forEach((w, l) => {
      w.forEach((row, i) => row.forEach((v, j) => {
        const name = `W${l}[${i},${j}]`;
        const g = diagram.edges.get(name);
        if (!g) return;
        const line = g.lastChild.previousSibling;
        const finite = Number.isFinite(v);
        line.setAttribute("stroke", color(v >= 0 ? POS : NEG, finite ? 0.85 : 0.2));
        line.setAttribute("stroke-width", finite ? Math.max(1, Math.min(10, 1 + Math.abs(v) * scale)) : 1);
        g.dataset.value = String(v);
        g.lastChild.textContent = `${name} = ${fmt(v)}  (${v})`;
        const label = diagram.labels.get(name);
        if (label) label.textContent = fmt(v);
      }));
    });
    frame.biases.forEach((b, l) => {
      if (!b) return;
      b.forEach((v, j) => {
        const div = diagram.units.get(`unit:${l + 1}:${j}`);
        if (div) div.title = `${net.units[l + 1][j]}: bias b${l}[${j}] = ${fmt(v)}`;
      });
    });
  }

  // ------------------------------------------------------------------ heatmaps

  function heat(t) {  // 0 blue, .5 white, 1 orange
    const c = t < 0.5 ? NEG : POS;
    const k = Math.min(1, Math.abs(t - 0.5) * 2);
    return [255 + (c[0] - 255) * k, 255 + (c[1] - 255) * k, 255 + (c[2] - 255) * k];
  }
  const PALETTE = Array.from({ length: 256 }, (_, i) => heat(i / 255));

  function decode(b64) {
    const raw = atob(b64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  const scratch = document.createElement("canvas");

  function paint(canvas, bytes, size) {
    // row i of the grid is x2[i] (bottom to top), column j is x1[j]
    if (canvas.width !== size) { canvas.width = size; canvas.height = size; }
    const ctx = canvas.getContext("2d");
    const image = ctx.createImageData(size, size);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const rgb = PALETTE[bytes[i * size + j]];
        const at = ((size - 1 - i) * size + j) * 4;
        image.data[at] = rgb[0]; image.data[at + 1] = rgb[1]; image.data[at + 2] = rgb[2]; image.data[at + 3] = 255;
      }
    }
    ctx.putImageData(image, 0, 0);
  }

  function drawBoundary(frame) {
    const b = frame.boundary;
    const canvas = $("boundary");
    if (!b) return;
    const ctx = canvas.getContext("2d");
    paint(scratch, decode(b.output), b.size);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
    const [x0, x1, y0, y1] = b.extent;
    const plane = state.setup.data.plane;
    for (let s = 0; s < plane.points.length; s++) {
      const [px, py] = plane.points[s];
      const cx = (px - x0) / (x1 - x0) * canvas.width;
      const cy = canvas.height - (py - y0) / (y1 - y0) * canvas.height;
      ctx.beginPath();
      ctx.arc(cx, cy, 3.2, 0, 2 * Math.PI);
      ctx.fillStyle = color(plane.labels[s] >= 0.5 ? POS : NEG, 1);
      ctx.fill();
      ctx.lineWidth = 1;
      ctx.strokeStyle = "#fff";
      ctx.stroke();
    }
    canvas.dataset.iteration = String(frame.iteration);
    // the output unit and each hidden unit show their own picture
    const net = state.setup.network;
    const outLayer = net.sizes.length - 1;
    for (let j = 0; j < net.sizes[outLayer]; j++) {
      const div = diagram.units.get(`unit:${outLayer}:${j}`);
      const small = div && div.querySelector("canvas");
      if (small && j === net.sizes[outLayer] - 1) small.getContext("2d"), drawScaled(small, scratch);
    }
    b.hidden.forEach((units, layer) => units.forEach((unit, j) => {
      const div = diagram.units.get(`unit:${layer + 1}:${j}`);
      const small = div && div.querySelector("canvas");
      if (small) paint(small, decode(unit.values), b.hidden_size);
    }));
  }

  function drawScaled(target, source) {
    if (target.width !== source.width) { target.width = source.width; target.height = source.height; }
    target.getContext("2d").drawImage(source, 0, 0);
  }

  // ------------------------------------------------------------------ the error curve

  function drawCurve(frame) {
    const canvas = $("curve");
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth * ratio, height = canvas.clientHeight * ratio;
    if (canvas.width !== width || canvas.height !== height) { canvas.width = width; canvas.height = height; }
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, width, height);
    const { iterations, loss } = frame.curve;
    const latest = Math.max(frame.latest, 1);
    const values = loss.filter((v) => v !== null && v > 0);
    const pad = 8 * ratio;
    ctx.font = `${10 * ratio}px system-ui, sans-serif`;
    ctx.fillStyle = "#66717d";
    if (!values.length) {
      ctx.fillText("the loss of each iteration appears here", pad, height / 2);
      return;
    }
    const lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values));
    const span = Math.max(hi - lo, 1e-9);
    const X = (k) => pad + (width - 2 * pad) * k / latest;
    const Y = (v) => height - pad - (height - 2 * pad) * (Math.log10(v) - lo) / span;
    ctx.strokeStyle = "#183d4e";
    ctx.lineWidth = 1.5 * ratio;
    ctx.beginPath();
    let started = false;
    iterations.forEach((k, n) => {
      const v = loss[n];
      if (v === null || v <= 0) { started = false; return; }
      if (started) ctx.lineTo(X(k), Y(v)); else { ctx.moveTo(X(k), Y(v)); started = true; }
    });
    ctx.stroke();
    ctx.fillText(`loss ${fmt(Math.pow(10, hi))}`, pad, pad + 8 * ratio);
    ctx.fillText(fmt(Math.pow(10, lo)), pad, height - pad - 2 * ratio);
    ctx.strokeStyle = "#f59322";
    ctx.beginPath();
    ctx.moveTo(X(frame.iteration), pad);
    ctx.lineTo(X(frame.iteration), height - pad);
    ctx.stroke();
    canvas.dataset.iteration = String(frame.iteration);
  }

  // ------------------------------------------------------------------ arithmetic panel

  function showArithmetic(m) {
    $("arithmetic").hidden = false;
    $("part-title").textContent = m.title;
    $("part-iteration").textContent = commas(m.iteration);
    $("part-value").textContent = m.value === null ? "\u2013" : fmt(m.value);
    $("part-value").dataset.value = m.value === null ? "" : String(m.value);
    $("edit-form").hidden = m.value === null;
    $("part-value-line").hidden = m.value === null;
    $("arithmetic-text").textContent = m.text;
    $("arithmetic").dataset.iteration = String(m.iteration);
  }

  function wirePanel() {
    $("edit-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const value = number($("edit-value"));
      if (value === null || !state.part || state.part.startsWith("unit:")) return;
      send({ type: "edit", target: state.part, value });
    });
    $("close-panel").addEventListener("click", () => select(null));
  }

  // ------------------------------------------------------------------ controls

  function wireControls() {
    $("play").addEventListener("click", () => { state.playing = true; send({ type: "play" }); state.dirty = true; });
    $("pause").addEventListener("click", () => send({ type: "pause" }));
    $("step").addEventListener("click", () => send({ type: "step", count: 1 }));
    $("step10").addEventListener("click", () => send({ type: "step", count: 10 }));
    $("reset").addEventListener("click", () => send({ type: "reset" }));
    $("new-seed").addEventListener("click", () => send({ type: "new_seed" }));
    $("speed").addEventListener("change", (e) => send({ type: "speed", value: Number(e.target.value) }));
    $("export").addEventListener("click", () => send({ type: "export" }));
    $("report").addEventListener("click", () => {
      state.reportWindow = window.open("", "_blank");
      if (state.reportWindow) state.reportWindow.document.title = "writing the report...";
      send({ type: "report" });
    });
    $("learning-rate").addEventListener("change", (e) => {
      const value = number(e.target);
      if (value === null || value <= 0) return;
      if (state.frame && state.frame.latest === 0) configure({ learning_rate: value });
      else send({ type: "edit", target: "learning_rate", value });
    });
    let scrubTo = null;
    $("scrubber").addEventListener("input", (e) => {
      const first = scrubTo === null;
      scrubTo = Number(e.target.value);
      if (first) requestAnimationFrame(() => { send({ type: "scrub", iteration: scrubTo }); scrubTo = null; });
    });
    $("curve").addEventListener("click", (e) => {
      if (!state.frame) return;
      const box = e.target.getBoundingClientRect();
      const k = Math.round((e.clientX - box.left - 8) / (box.width - 16) * Math.max(state.frame.latest, 1));
      send({ type: "scrub", iteration: Math.max(0, Math.min(state.frame.latest, k)) });
    });
    $("boundary").addEventListener("click", (e) => {
      if (!$("add-points").checked || !state.frame || !state.frame.boundary) return;
      const box = e.target.getBoundingClientRect();
      const [x0, x1, y0, y1] = state.frame.boundary.extent;
      const x = x0 + (e.clientX - box.left) / box.width * (x1 - x0);
      const y = y1 - (e.clientY - box.top) / box.height * (y1 - y0);
      send({ type: "point", x, y, label: Number($("point-class").value) });
    });
    $("add-points").addEventListener("change", (e) => $("boundary").classList.toggle("adding", e.target.checked));
    window.addEventListener("resize", () => { if (state.setup) { buildNetwork(); state.dirty = true; } });
  }

  // ------------------------------------------------------------------ drawing, once per animation frame

  function render() {
    const frame = state.frame;
    if (!frame || !state.setup) return;
    $("iteration").textContent = String(frame.iteration);
    $("iteration").title = `iteration #${commas(frame.iteration)} of ${commas(frame.latest)}`;
    $("loss").textContent = fmt(frame.loss);
    $("error-sum").textContent = fmt(frame.error_sum);
    if (document.activeElement !== $("learning-rate")) $("learning-rate").value = frame.learning_rate;
    const scrubber = $("scrubber");
    scrubber.max = String(frame.latest);
    if (document.activeElement !== scrubber || state.playing) scrubber.value = String(frame.iteration);
    $("play").disabled = state.playing;
    $("pause").disabled = !state.playing;
    document.body.dataset.playing = state.playing ? "1" : "0";
    document.body.dataset.iteration = String(frame.iteration);
    drawNetwork(frame);
    drawBoundary(frame);
    drawCurve(frame);
  }

  function loop() {
    if (state.dirty) {
      state.dirty = false;
      render();
    }
    requestAnimationFrame(loop);
  }

  // the token was in the URL once; the page's cookie carries it from now on
  if (location.search.includes("token=")) history.replaceState(null, "", location.pathname);
  wireSettings();
  wireControls();
  wirePanel();
  connect();
  requestAnimationFrame(loop);
  document.body.dataset.ready = "1";
})();
