/* The website edition's explorer (see rtp_eval/explore.py).
 *
 * Filters above the main tables and figures redraw them from the published cells embedded in
 * the page (#utforska-data). Nothing is computed here but positions: every number shown is a
 * text written by the report's build. No request leaves the page. Without scripts the page is
 * the printed report.
 */
(function () {
  "use strict";
  const source = document.getElementById("utforska-data");
  if (!source) {
    return;
  }
  const data = JSON.parse(source.textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const ALL_ROWS = "*";
  const MISSING = "..";
  const SUPPRESSION_NOTE = data.suppressionNote;
  // The groups' colours, hatches and marker shapes: those of the printed figures.
  const COLORS = {};
  const HATCH = {};
  const MARKERS = {};
  Object.keys(data.styles.groups).forEach((group) => {
    COLORS[group] = data.styles.groups[group].color;
    HATCH[group] = data.styles.groups[group].hatch;
    MARKERS[group] = data.styles.groups[group].marker;
  });
  let serial = 0;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.keys(attributes || {}).forEach((name) => node.setAttribute(name, attributes[name]));
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function svgElement(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach((name) => node.setAttribute(name, attributes[name]));
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function nextId(prefix) {
    serial += 1;
    return "utforska-" + prefix + "-" + serial;
  }

  // --- controls -------------------------------------------------------------------------

  /* A labelled group of selects and a polite live region that says what is shown now. */
  function panel(what, title, filters, state, onChange) {
    const box = element("div", { class: "explore", role: "group" });
    const legendId = nextId("rubrik");
    box.setAttribute("aria-labelledby", legendId);
    box.appendChild(element("p", { class: "explore-title", id: legendId }, "Filtrera " + what + ": " + title));
    const fields = element("div", { class: "explore-fields" });
    filters.forEach((filter) => {
      const id = nextId("val");
      const field = element("div", { class: "explore-field" });
      field.appendChild(element("label", { for: id }, filter.label));
      const select = element("select", { id: id });
      filter.options.forEach((option) => {
        const item = element("option", { value: option[0] }, option[1]);
        if (option[0] === state[filter.column]) {
          item.selected = true;
        }
        select.appendChild(item);
      });
      select.addEventListener("change", () => {
        state[filter.column] = select.value;
        onChange();
      });
      field.appendChild(select);
      fields.appendChild(field);
    });
    if (filters.length) {
      box.appendChild(fields);
    }
    const status = element("p", { class: "explore-status", role: "status", "aria-live": "polite" });
    box.appendChild(status);
    return { element: box, status: status };
  }

  function optionLabel(filter, value) {
    const option = filter.options.find((o) => o[0] === value);
    return option ? option[1] : value;
  }

  /* The caption for the chosen filters: a chosen period takes the place of the page's period
     in the caption; other choices are added after it. */
  function filteredCaption(caption, filters, state) {
    let text = caption;
    const added = [];
    filters.forEach((filter) => {
      const value = state[filter.column];
      if (value === filter.default) {
        return;
      }
      const defaultLabel = optionLabel(filter, filter.default);
      if (filter.mode === "swap" && defaultLabel && text.indexOf(defaultLabel) >= 0) {
        text = text.replace(defaultLabel, optionLabel(filter, value));
      } else {
        added.push(filter.label.toLowerCase() + ": " + optionLabel(filter, value));
      }
    });
    return added.length ? text + " (" + added.join(", ") + ")" : text;
  }

  function choiceWords(filters, state) {
    return filters.map((f) => f.label + ": " + optionLabel(f, state[f.column])).join("; ");
  }

  // --- tables ---------------------------------------------------------------------------

  function parseKey(key) {
    return key.split(";").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at), part.slice(at + 1)];
    });
  }

  /* The same substitution as rtp_eval.explore.swapped_key. */
  function swappedKey(key, choice) {
    return parseKey(key)
      .map((pair) => pair[0] + "=" + (pair[0] in choice ? choice[pair[0]] : pair[1]))
      .join(";");
  }

  function rowValue(spec, line, column) {
    for (const cell of line) {
      if (cell) {
        for (const pair of parseKey(spec.sources[cell[0]][1])) {
          if (pair[0] === column) {
            return pair[1];
          }
        }
      }
    }
    return null;
  }

  function setupTable(id, spec) {
    const table = document.getElementById(id);
    if (!table || !table.tBodies.length) {
      return;
    }
    const wrap = table.closest(".table-wrap") || table;
    const state = {};
    spec.filters.forEach((f) => (state[f.column] = f.default));
    const controls = panel("tabellen", spec.caption, spec.filters, state, redraw);
    wrap.parentNode.insertBefore(controls.element, wrap);
    const caption = table.caption;
    // The page explains `..` under tables that have one; a filter can bring `..` into others.
    let suppressionNote = document.getElementById(id + "-dolda");
    if (!suppressionNote) {
      suppressionNote = element("p", { class: "note", id: id + "-dolda", hidden: "" }, SUPPRESSION_NOTE);
      wrap.parentNode.insertBefore(suppressionNote, wrap.nextSibling);
    }

    function redraw() {
      const choice = {};
      spec.filters.filter((f) => f.mode === "swap").forEach((f) => (choice[f.column] = state[f.column]));
      let rows = 0;
      let hidden = 0;
      spec.cells.forEach((line, index) => {
        const row = table.tBodies[0].rows[index];
        const shown = spec.filters.every((f) => {
          if (f.mode !== "rows" || state[f.column] === ALL_ROWS) {
            return true;
          }
          const value = rowValue(spec, line, f.column);
          return value === null || value === state[f.column];
        });
        row.hidden = !shown;
        rows += shown ? 1 : 0;
        line.forEach((cell, position) => {
          if (!cell) {
            return;
          }
          const td = row.cells[position + 1];
          const name = spec.sources[cell[0]][0];
          const column = spec.columns[cell[1]];
          // See rtp_eval.explore.stored_key.
          const key = swappedKey(spec.sources[cell[0]][1], choice);
          const pairs = parseKey(key);
          const columns = pairs.map((pair) => pair[0]).join(";");
          const values = pairs.map((pair) => pair[1]).join("|");
          const published = ((data.cells[name] || {})[columns] || {})[values];
          const text = published && column in published ? published[column] : MISSING;
          td.textContent = text;
          if (published && !published._missing) {
            td.setAttribute("data-table", name);
            td.setAttribute("data-key", key);
            td.setAttribute("data-column", column);
          } else {
            td.removeAttribute("data-table");
            td.removeAttribute("data-key");
            td.removeAttribute("data-column");
          }
          if (shown && text === MISSING) {
            hidden += 1;
          }
        });
      });
      if (caption) {
        caption.textContent = filteredCaption(spec.caption, spec.filters, state);
      }
      suppressionNote.hidden = hidden === 0;
      controls.status.textContent =
        "Tabellen visar nu " + choiceWords(spec.filters, state) + ". " + rows + (rows === 1 ? " rad" : " rader") +
        (hidden ? ", " + hidden + (hidden === 1 ? " uppgift redovisas inte (..)" : " uppgifter redovisas inte (..)") : "") + ".";
    }
  }

  // --- figures --------------------------------------------------------------------------

  const number = new Intl.NumberFormat("sv-SE", { maximumFractionDigits: 1 });

  function tickText(value, format) {
    if (format === "percent") {
      return Math.round(value * 100) + "\u00a0%";
    }
    if (format === "thousands") {
      return number.format(value / 1000);
    }
    return number.format(value);
  }

  function niceMaximum(value) {
    if (!(value > 0)) {
      return 1;
    }
    const power = Math.pow(10, Math.floor(Math.log10(value)));
    for (const step of [1, 2, 2.5, 5, 10]) {
      if (step * power >= value) {
        return step * power;
      }
    }
    return 10 * power;
  }

  function patterns(defs, prefix) {
    Object.keys(HATCH).forEach((group) => {
      ["on", "off"].forEach((variant) => {
        const hatch = HATCH[group] || data.styles.openBarHatch;
        const stroke = variant === "on" ? "#ffffff" : COLORS[group];
        const pattern = svgElement("pattern", {
          id: prefix + "-" + group + "-" + variant,
          width: 6,
          height: 6,
          patternUnits: "userSpaceOnUse",
        });
        if (hatch === "--") {
          pattern.appendChild(svgElement("path", { d: "M0,3 L6,3", stroke: stroke, "stroke-width": 1 }));
        } else {
          pattern.appendChild(svgElement("path", { d: "M0,6 L6,0", stroke: stroke, "stroke-width": 1 }));
          if (hatch === "xx") {
            pattern.appendChild(svgElement("path", { d: "M0,0 L6,6", stroke: stroke, "stroke-width": 1 }));
          }
        }
        defs.appendChild(pattern);
      });
    });
  }

  function marker(kind, x, y, color) {
    const r = 4.5;
    if (kind === "square") {
      return svgElement("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: color });
    }
    if (kind === "diamond") {
      return svgElement("path", { d: `M${x},${y - r - 1} L${x + r + 1},${y} L${x},${y + r + 1} L${x - r - 1},${y} Z`, fill: color });
    }
    if (kind === "triangle") {
      return svgElement("path", { d: `M${x},${y - r - 1} L${x + r + 1},${y + r} L${x - r - 1},${y + r} Z`, fill: color });
    }
    return svgElement("circle", { cx: x, cy: y, r: r, fill: color });
  }

  function mark(note) {
    return svgElement("g", { class: "explore-mark", role: "img", "aria-label": note, tabindex: "-1" });
  }

  /* Bars or points per category; `across` puts the categories along the horizontal axis. */
  function drawSeries(chart, prefix) {
    const across = chart.kind === "columns";
    const count = chart.categories.length;
    const slots = Math.max(1, ...chart.series.map((s) => s.slot + 1));
    const longest = Math.max(0, ...chart.categories.map((c) => c.length));
    const band = across ? Math.max(36, Math.min(200, 640 / Math.max(count, 1))) : 22;
    const left = across ? 64 : Math.min(360, 16 + 6.2 * longest);
    const plot = across ? band * count : 420;
    const width = left + (across ? plot : plot) + 24;
    const height = across ? 300 : band * count + 56;
    const top = 12;
    const valueLength = across ? height - top - 48 : plot;
    let maximum = chart.axis.max;
    if (maximum === null || maximum === undefined) {
      const highest = Math.max(0, ...chart.series.flatMap((s) => (s.high || s.values).filter((v) => v !== null)));
      maximum = niceMaximum(highest);
    }
    const scale = (v) => (Math.max(0, v) / maximum) * valueLength;
    const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width: width, height: height, role: "group" });
    const defs = svgElement("defs");
    patterns(defs, prefix);
    svg.appendChild(defs);
    const axes = svgElement("g", { "aria-hidden": "true", class: "explore-axes" });
    const baseline = across ? top + valueLength : 0;
    for (let i = 0; i <= 4; i += 1) {
      const value = (maximum * i) / 4;
      if (across) {
        const y = baseline - scale(value);
        axes.appendChild(svgElement("line", { x1: left, x2: left + plot, y1: y, y2: y, stroke: "#d0d0d0" }));
        axes.appendChild(svgElement("text", { x: left - 6, y: y + 4, "text-anchor": "end" }, tickText(value, chart.axis.format)));
      } else {
        const x = left + scale(value);
        axes.appendChild(svgElement("line", { x1: x, x2: x, y1: top, y2: top + band * count, stroke: "#d0d0d0" }));
        axes.appendChild(svgElement("text", { x: x, y: top + band * count + 16, "text-anchor": "middle" }, tickText(value, chart.axis.format)));
      }
    }
    chart.categories.forEach((category, index) => {
      if (across) {
        axes.appendChild(svgElement("text", { x: left + band * (index + 0.5), y: baseline + 16, "text-anchor": "middle" }, category));
      } else {
        axes.appendChild(svgElement("text", { x: left - 8, y: top + band * (index + 0.5) + 4, "text-anchor": "end" }, category));
      }
    });
    if (across) {
      axes.appendChild(svgElement("text", { x: left + plot / 2, y: height - 8, "text-anchor": "middle" }, chart.axis.categoryLabel));
      axes.appendChild(svgElement("text", { x: 12, y: top + valueLength / 2, transform: `rotate(-90 12 ${top + valueLength / 2})`, "text-anchor": "middle" }, chart.axis.label));
    } else {
      axes.appendChild(svgElement("text", { x: left + plot / 2, y: height - 6, "text-anchor": "middle" }, chart.axis.label));
    }
    svg.appendChild(axes);
    if (chart.reference) {
      const x = left + scale(chart.reference.value);
      svg.appendChild(svgElement("line", { x1: x, x2: x, y1: top, y2: top + band * count, stroke: "#404040", "stroke-dasharray": "4 3", "aria-hidden": "true" }));
    }
    const marks = svgElement("g", { class: "explore-marks" });
    const slotWidth = (band * 0.8) / slots;
    const position = (index, slot) => band * index + band * 0.1 + slotWidth * (slot + 0.5);
    chart.categories.forEach((_, index) => {
      chart.series.forEach((series) => {
        const value = series.values[index];
        if (value === null) {
          return;
        }
        const text = series.texts[index];
        const note = chart.kind === "rows" ? chart.categories[index] + ": " + text : series.who + ", " + chart.categories[index] + ": " + text;
        const g = mark(note);
        const color = COLORS[series.group] || "#404040";
        const centre = position(index, series.slot);
        if (series.mark === "bar" || series.mark === "outline") {
          const outline = series.mark === "outline";
          const size = scale(value);
          const box = across
            ? { x: left + centre - slotWidth * 0.45, y: baseline - size, width: slotWidth * 0.9, height: size }
            : { x: left, y: top + centre - slotWidth * 0.45, width: size, height: slotWidth * 0.9 };
          g.appendChild(svgElement("rect", Object.assign({ fill: outline ? "#ffffff" : color, stroke: color, "stroke-width": 1.2 }, box)));
          if (outline || HATCH[series.group]) {
            g.appendChild(svgElement("rect", Object.assign({ fill: `url(#${prefix}-${series.group}-${outline ? "off" : "on"})` }, box)));
          }
        } else if (series.mark === "tick") {
          const y = baseline - scale(value);
          // A line has no area to point at: an invisible band around it takes the pointer.
          g.appendChild(svgElement("rect", { class: "explore-hit", x: left + centre - slotWidth * 0.5, y: y - 4, width: slotWidth, height: 8, fill: "transparent" }));
          g.appendChild(svgElement("line", { x1: left + centre - slotWidth * 0.5, x2: left + centre + slotWidth * 0.5, y1: y, y2: y, stroke: "#000000", "stroke-width": 2.5 }));
        } else {
          const low = series.low ? series.low[index] : null;
          const high = series.high ? series.high[index] : null;
          const at = (v) => (across ? { x: left + centre, y: baseline - scale(v) } : { x: left + scale(v), y: top + centre });
          if (low !== null && high !== null) {
            const a = at(low);
            const b = at(high);
            g.appendChild(svgElement("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: color, "stroke-width": 1.5 }));
            [a, b].forEach((p) => {
              const cap = across ? { x1: p.x - 4, x2: p.x + 4, y1: p.y, y2: p.y } : { x1: p.x, x2: p.x, y1: p.y - 4, y2: p.y + 4 };
              g.appendChild(svgElement("line", Object.assign({ stroke: color, "stroke-width": 1.5 }, cap)));
            });
          }
          const p = at(value);
          g.appendChild(marker(MARKERS[series.group] || "circle", p.x, p.y, color));
        }
        marks.appendChild(g);
      });
    });
    svg.appendChild(marks);
    return svg;
  }

  function gridColor(value) {
    const t = Math.max(-2, Math.min(2, Math.log2(Math.max(value, 1 / 8)))) / 2;
    const mix = (a, b, f) => Math.round(a + (b - a) * f);
    const from = t < 0 ? [247, 247, 247] : [247, 247, 247];
    const to = t < 0 ? [179, 88, 6] : [84, 39, 136];
    const f = Math.abs(t);
    return `rgb(${mix(from[0], to[0], f)},${mix(from[1], to[1], f)},${mix(from[2], to[2], f)})`;
  }

  function drawGrid(chart, prefix) {
    const grid = chart.grid;
    const longest = Math.max(0, ...grid.rows.map((r) => r.length));
    const left = Math.min(300, 16 + 6.2 * longest);
    const cell = { width: 96, height: 34 };
    const headerLines = Math.max(1, ...grid.columns.map((c) => c.split("\n").length));
    const top = 14 * headerLines + 10;
    const width = left + cell.width * grid.columns.length + 12;
    const height = top + cell.height * grid.rows.length + 12;
    const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, width: width, height: height, role: "group" });
    const defs = svgElement("defs");
    patterns(defs, prefix);
    svg.appendChild(defs);
    const axes = svgElement("g", { "aria-hidden": "true", class: "explore-axes" });
    grid.columns.forEach((column, j) => {
      column.split("\n").forEach((line, k) => {
        axes.appendChild(svgElement("text", { x: left + cell.width * (j + 0.5), y: 14 * (k + 1), "text-anchor": "middle" }, line));
      });
    });
    grid.rows.forEach((row, i) => {
      axes.appendChild(svgElement("text", { x: left - 8, y: top + cell.height * (i + 0.5) + 4, "text-anchor": "end" }, row));
    });
    svg.appendChild(axes);
    const marks = svgElement("g", { class: "explore-marks" });
    grid.rows.forEach((row, i) => {
      grid.columns.forEach((column, j) => {
        const value = grid.values[i][j];
        const text = grid.texts[i][j];
        const g = mark(row + ", " + column.split("\n").join(", ") + ": representationsindex " + text);
        const box = { x: left + cell.width * j + 1, y: top + cell.height * i + 1, width: cell.width - 2, height: cell.height - 2 };
        g.appendChild(svgElement("rect", Object.assign({ fill: value === null ? "#d9d9d9" : gridColor(value) }, box)));
        if (value === null) {
          g.appendChild(svgElement("rect", Object.assign({ fill: `url(#${prefix}-unknown-off)` }, box)));
        }
        const dark = value !== null && Math.abs(Math.log2(value)) > 1.2;
        g.appendChild(svgElement("text", { x: box.x + box.width / 2, y: box.y + box.height / 2 + 4, "text-anchor": "middle", fill: dark ? "#ffffff" : "#000000" }, text));
        marks.appendChild(g);
      });
    });
    svg.appendChild(marks);
    return svg;
  }

  /* A legend entry drawn like its marks: colour and hatch or marker shape. */
  function swatch(series, prefix) {
    const box = svgElement("svg", { class: "explore-swatch", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" });
    const color = COLORS[series.group] || "#404040";
    const square = { x: 1, y: 1, width: 14, height: 14 };
    if (series.mark === "bar" || series.mark === "outline") {
      const outline = series.mark === "outline";
      box.appendChild(svgElement("rect", Object.assign({ fill: outline ? "#ffffff" : color, stroke: color, "stroke-width": 1.5 }, square)));
      if (outline || HATCH[series.group]) {
        box.appendChild(svgElement("rect", Object.assign({ fill: `url(#${prefix}-${series.group}-${outline ? "off" : "on"})` }, square)));
      }
    } else if (series.mark === "tick") {
      box.appendChild(svgElement("line", { x1: 1, x2: 15, y1: 8, y2: 8, stroke: "#000000", "stroke-width": 2.5 }));
    } else {
      box.appendChild(svgElement("line", { x1: 8, x2: 8, y1: 1, y2: 15, stroke: color, "stroke-width": 1.5 }));
      box.appendChild(marker(MARKERS[series.group] || "circle", 8, 8, color));
    }
    return box;
  }

  function legend(chart, prefix) {
    const list = element("ul", { class: "explore-legend" });
    const seen = new Set();
    (chart.series || []).forEach((series) => {
      if (seen.has(series.label)) {
        return;
      }
      seen.add(series.label);
      const item = element("li");
      item.appendChild(swatch(series, prefix));
      item.appendChild(document.createTextNode(series.label));
      list.appendChild(item);
    });
    if (chart.reference) {
      const item = element("li");
      const line = svgElement("svg", { class: "explore-swatch", viewBox: "0 0 16 16", width: 16, height: 16, "aria-hidden": "true" });
      line.appendChild(svgElement("line", { x1: 1, x2: 15, y1: 8, y2: 8, stroke: "#404040", "stroke-width": 1.5, "stroke-dasharray": "4 3" }));
      item.appendChild(line);
      item.appendChild(document.createTextNode("Streckad linje: " + chart.reference.label.toLowerCase()));
      list.appendChild(item);
    }
    if (chart.grid) {
      list.appendChild(element("li", {}, chart.grid.legend + ": lila över 1, orange under 1, grå rutor redovisas inte (..)."));
    }
    return list;
  }

  /* One stop in the tab order per figure: arrow keys move between its values. */
  function roving(container, tip) {
    const marks = Array.from(container.querySelectorAll(".explore-mark"));
    if (!marks.length) {
      return;
    }
    marks[0].setAttribute("tabindex", "0");
    const show = (target) => {
      tip.textContent = target.getAttribute("aria-label");
      tip.hidden = false;
      const box = target.getBoundingClientRect();
      const frame = container.getBoundingClientRect();
      tip.style.left = Math.max(0, Math.min(box.left - frame.left, frame.width - 260)) + "px";
      tip.style.top = box.bottom - frame.top + 6 + "px";
    };
    const hide = () => {
      tip.hidden = true;
    };
    marks.forEach((target, index) => {
      target.addEventListener("mouseenter", () => show(target));
      target.addEventListener("mouseleave", hide);
      target.addEventListener("focus", () => show(target));
      target.addEventListener("blur", hide);
      target.addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        let next = null;
        if (step) {
          next = marks[Math.max(0, Math.min(marks.length - 1, index + step))];
        } else if (event.key === "Home") {
          next = marks[0];
        } else if (event.key === "End") {
          next = marks[marks.length - 1];
        } else if (event.key === "Escape") {
          hide();
        }
        if (next) {
          event.preventDefault();
          marks.forEach((m) => m.setAttribute("tabindex", "-1"));
          next.setAttribute("tabindex", "0");
          next.focus();
        }
      });
    });
  }

  function fillTable(table, columns, rows) {
    const head = element("tr");
    columns.forEach((column, index) => {
      const th = element("th", { scope: "col" }, column);
      if (index > 0 && table.tHead && table.tHead.rows[0].cells[index] && table.tHead.rows[0].cells[index].classList.contains("num")) {
        th.className = "num";
      }
      head.appendChild(th);
    });
    const numeric = Array.from(table.tHead.rows[0].cells).map((cell) => cell.classList.contains("num"));
    table.tHead.replaceChildren(head);
    const body = element("tbody");
    rows.forEach((values) => {
      const tr = element("tr");
      values.forEach((value, index) => {
        const cell = index === 0 ? element("th", { scope: "row" }, value) : element("td", {}, value);
        if (index > 0 && numeric[index]) {
          cell.className = "num";
        }
        tr.appendChild(cell);
      });
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
  }

  function setupFigure(name, spec) {
    const figure = document.getElementById("figur-" + name);
    if (!figure) {
      return;
    }
    const state = {};
    spec.filters.forEach((f) => (state[f.column] = f.default));
    const caption = figure.querySelector("figcaption");
    const dataTable = figure.querySelector("details table");
    const firstChart = spec.charts[spec.filters.map((f) => f.default).join("|")];
    const controls = panel("diagrammet", firstChart.title, spec.filters, state, () => redraw(true));
    const canvas = element("div", { class: "explore-figure" });
    const help = element("p", { class: "explore-help" }, "Peka på eller tabba till diagrammet och flytta med piltangenterna för att läsa värdena.");
    const tip = element("div", { class: "explore-tip", role: "tooltip", hidden: "" });
    const oldSvg = figure.querySelector(":scope > svg");
    figure.insertBefore(controls.element, figure.firstChild);
    figure.insertBefore(canvas, oldSvg);
    if (oldSvg) {
      oldSvg.remove();
    }

    function redraw(announce) {
      const key = spec.filters.map((f) => state[f.column]).join("|");
      const chart = spec.charts[key];
      const prefix = nextId(name);
      const svg = chart.kind === "grid" ? drawGrid(chart, prefix) : drawSeries(chart, prefix);
      svg.setAttribute("aria-label", chart.title);
      canvas.replaceChildren(help, svg, legend(chart, prefix), tip);
      tip.hidden = true;
      roving(canvas, tip);
      if (caption) {
        caption.replaceChildren(element("strong", {}, chart.title + "."), document.createTextNode(" " + chart.alt));
      }
      if (dataTable) {
        fillTable(dataTable, chart.table.columns, chart.table.rows);
        if (dataTable.caption) {
          dataTable.caption.textContent = "Data till diagrammet: " + chart.title;
        }
      }
      if (announce) {
        controls.status.textContent = "Diagrammet visar nu " + choiceWords(spec.filters, state) + ". " + chart.title + ". " + chart.alt;
      }
    }
    redraw(false);
  }

  Object.keys(data.tables).forEach((id) => setupTable(id, data.tables[id]));
  Object.keys(data.figures).forEach((name) => setupFigure(name, data.figures[name]));
})();
