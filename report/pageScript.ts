/**
 * The report page's script, inlined: tooltips, and the details of one transaction (its sender,
 * contract and function, its price and timing, the transactions it waits for and holds up and the
 * key of each conflict) when a cell, a bar, a table row or a neighbour is clicked or an index is
 * entered. It reads the data the page embeds; the charts themselves are static SVG and need no
 * script.
 */
export const PAGE_SCRIPT = `
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var t = data.txs;
  var lanes = data.gantt.lanes;
  var conflicts = data.conflicts;
  var STATUSES = ["success", "revert", "out-of-gas", "invalid"];
  var tip = document.getElementById("tip");
  var panel = document.getElementById("tx-details");
  var selected = [];

  function digits(text) { return text.replace(/\\B(?=(\\d{3})+(?!\\d))/g, "\\u2009"); }
  function count(n) { return digits(String(Math.round(n))); }
  function ms(x) {
    if (x >= 1000) return (x / 1000).toFixed(2) + " s";
    if (x >= 100) return x.toFixed(0) + " ms";
    if (x >= 1) return x.toFixed(1) + " ms";
    return (x * 1000).toFixed(0) + " \\u00b5s";
  }
  function call(i) { return t.calls[t.fn[i]]; }
  function shortLocation(loc) { return loc.replace(/0x[0-9a-fA-F]{16,}/g, function (hex) { return hex.slice(0, 6) + "\u2026" + hex.slice(-4); }); }
  function where(i) {
    var lane = t.lane[i];
    if (lane < 0) return "no timing recorded";
    return lanes[lane].label + ", " + ms(t.startMs[i]) + "\\u2013" + ms(t.endMs[i]);
  }
  function summary(i) {
    return "tx " + i + " \\u00b7 " + call(i) + " \\u00b7 column " + (t.column[i] + 1) + " \\u00b7 \\u00d7" + t.multiplier[i].toFixed(2) +
      (t.critical[i] ? " (bottleneck)" : "") + " \\u00b7 " + where(i);
  }

  function describe(el) {
    if (el.hasAttribute("data-tx")) {
      var i = Number(el.getAttribute("data-tx"));
      var kind = el.getAttribute("data-kind");
      return (kind ? kind.replace("-", " ") + ": " : "") + summary(i);
    }
    return el.getAttribute("data-tip");
  }

  document.addEventListener("mouseover", function (event) {
    var el = event.target.closest ? event.target.closest("[data-tx],[data-tip]") : null;
    if (!el) { tip.hidden = true; return; }
    tip.textContent = describe(el);
    tip.hidden = false;
  });
  document.addEventListener("mousemove", function (event) {
    if (tip.hidden) return;
    var x = event.clientX + 14, y = event.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) x = event.clientX - w - 10;
    if (y + h > window.innerHeight - 8) y = event.clientY - h - 10;
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
  document.addEventListener("mouseleave", function () { tip.hidden = true; });

  function row(dl, name, value) {
    var dt = document.createElement("dt"); dt.textContent = name;
    var dd = document.createElement("dd");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dt); dl.appendChild(dd);
    return dd;
  }

  /** Transaction i's neighbours on one side, as links, each with the key of its conflict. */
  function neighbours(lists, i) {
    var out = document.createElement("span");
    var from = lists.offsets[i], to = lists.offsets[i + 1], total = lists.count[i];
    if (total === 0) { out.textContent = "none"; return out; }
    for (var k = from; k < to; k++) {
      if (k > from) out.appendChild(document.createTextNode(", "));
      var a = document.createElement("a");
      a.href = "#"; a.setAttribute("data-tx", String(lists.tx[k])); a.textContent = "tx " + lists.tx[k];
      out.appendChild(a);
      var via = lists.via[k];
      out.appendChild(document.createTextNode(" (" + (via < 0 ? "fee recipient balance" : shortLocation(conflicts.locations[via])) + ")"));
    }
    if (total > to - from) out.appendChild(document.createTextNode(" and " + count(total - (to - from)) + " more"));
    return out;
  }

  function highlight(i) {
    selected.forEach(function (el) { el.classList.remove("selected"); });
    selected = [];
    var stack = data.dag.position[2 * i], cell = data.dag.position[2 * i + 1];
    var c = document.getElementById("cell-" + stack + "-" + cell);
    if (c) selected.push(c);
    document.querySelectorAll('#gantt-svg [data-tx="' + i + '"]').forEach(function (el) { selected.push(el); });
    selected.forEach(function (el) { el.classList.add("selected"); });
  }

  function select(i) {
    document.getElementById("lookup-message").textContent = "";
    if (!(Number.isInteger(i) && i >= 0 && i < t.fn.length)) {
      document.getElementById("lookup-message").textContent = "no transaction " + i + " in this block (0\\u2013" + (t.fn.length - 1) + ")";
      return;
    }
    var body = panel.querySelector(".body");
    body.textContent = "";
    var h = document.createElement("h3");
    h.textContent = "tx " + i + " \\u00b7 " + call(i);
    body.appendChild(h);
    var dl = document.createElement("dl");
    var name = call(i), dot = name.indexOf(".");
    row(dl, "sender", t.senders[t.from[i]]);
    row(dl, "contract", (dot > 0 ? name.slice(0, dot) + " at " : "") + t.contracts[t.to[i]]);
    row(dl, "function", dot > 0 ? name.slice(dot + 1) : name);
    row(dl, "status", STATUSES[t.status[i]]);
    row(dl, "gas used", count(t.gasUsed[i]));
    row(dl, "fee paid", digits(t.paid[i]));
    row(dl, "access set", t.classes[t["class"][i]]);
    row(dl, "column", (t.column[i] + 1) + " of " + data.schedule.columns);
    row(dl, "ran on", where(i));
    row(dl, "attempts", String(t.attempts[i]));
    row(dl, "quote", "\\u00d7" + t.multiplier[i].toFixed(4) + " \\u2192 fee " + digits(t.fee[i]));
    row(dl, "contended gas", count(t.contendedGas[i]));
    row(dl, "bottleneck", t.critical[i] ? "yes: on the block's serial chain" : "no");
    row(dl, "waits for", neighbours(conflicts.before, i)).className = "waits-for";
    row(dl, "holds up", neighbours(conflicts.after, i)).className = "holds-up";
    body.appendChild(dl);
    panel.hidden = false;
    panel.setAttribute("data-selected", String(i));
    highlight(i);
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-tx]") : null;
    if (!el) return;
    event.preventDefault();
    select(Number(el.getAttribute("data-tx")));
  });
  panel.querySelector(".close").addEventListener("click", function () {
    panel.hidden = true;
    highlight(-1);
  });
  document.getElementById("lookup").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = document.getElementById("tx-input").value.trim();
    select(text === "" ? NaN : Number(text));
  });
})();
`;
