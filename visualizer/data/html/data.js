/* docker-netviz: what containers share besides the network, on the interactive page.
   app.js calls window.netvizData(data) once; the object it returns adds, at every level of
   detail, the volumes and host paths (positions come with each level's map), the mount lines,
   a red border on what is equivalent to the host, channel lines in the reachability view,
   side-panel lists and legend rows. Engine text reaches the page only through textContent
   and canvas labels. */
(function () {
  "use strict";
  var BROWN = "#92400e", VIOLET = "#6d28d9", RED = "#b91c1c";
  var LIMIT = 1500; /* channel lines drawn at most; beyond, the legend says so */
  function has(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }
  function shorten(text, n) { return text.length > n ? text.slice(0, n - 1) + "…" : text; }
  window.netvizData = function (data) {
    var nodes = {}, powered = {}, outgoing = {}, mountsOf = {}, index = {}, state = { cut: false };
    var shown = data.data_shown !== false;
    data.containers.forEach(function (c, i) { index[c.id] = i; });
    (data.data || []).forEach(function (d) { nodes[d.id] = d; });
    (data.mounts || []).forEach(function (m) {
      (mountsOf[m[0]] = mountsOf[m[0]] || []).push(nodes[m[1]].name + " at " + m[2] + (m[3] ? "" : " (read-only)"));
    });
    (data.host_equivalent || []).forEach(function (h) { powered[h.id] = h.powers; });
    (data.channels || []).forEach(function (ch) {
      var a = data.containers[ch[0]].id, b = data.containers[ch[1]].name;
      (outgoing[a] = outgoing[a] || []).push(ch[2] + " → " + b + ": " + ch[3] + " (" + ch[4] + ")");
    });
    function groupPower(map) {
      var found = {};
      (map.hosteq || []).forEach(function (h) { found[h[0]] = h[1]; });
      return found;
    }
    function mountRows(level, map) { return level === "container" ? (data.mounts || []) : (map.mounts || []); }
    return {
      style: [
        { selector: "node[kind = 'data']", style: { "background-color": "#fef3c7", "border-color": BROWN,
          "border-width": 2, "font-size": 12 } },
        { selector: "node[dkind = 'volume']", style: { "shape": "barrel" } },
        { selector: "node[dkind = 'path']", style: { "shape": "cut-rectangle", "background-color": "#fefce8" } },
        { selector: "edge[kind = 'mount']", style: { "line-color": BROWN, "color": BROWN, "font-size": 10,
          "text-rotation": "autorotate" } },
        { selector: "edge[kind = 'mount'][rw = 0]", style: { "line-style": "dashed", "width": 1.5 } },
        { selector: "node[hosteq = 1]", style: { "background-color": "#fee2e2", "border-color": RED, "border-width": 4 } },
        { selector: "edge[kind = 'channel']", style: { "line-style": "dotted", "width": 2.5, "color": "data(stroke)",
          "target-arrow-shape": "diamond", "target-arrow-color": "data(stroke)", "curve-style": "bezier" } },
        { selector: "edge[kind = 'channel'][both = 1]", style: { "source-arrow-shape": "diamond",
          "source-arrow-color": "data(stroke)" } },
        { selector: "edge[kind = 'channel'][family = 'host']", style: { "line-style": "solid", "width": 4,
          "target-arrow-shape": "triangle" } }
      ],
      /* the level's data nodes and mount lines, when the level is first shown */
      build: function (level, map, eid, elements) {
        (map.data || []).forEach(function (n) {
          var d = nodes[n[0]];
          elements.push({ group: "nodes", data: { id: eid(level, n[0]), kind: "data", ref: n[0], level: level,
            dkind: d.kind, name: d.name, w: n[3], h: n[4],
            label: d.name + "\n" + (d.kind === "volume" ? "volume" : "host path") }, position: { x: n[1], y: n[2] } });
        });
        mountRows(level, map).forEach(function (m, i) {
          elements.push({ group: "edges", data: { id: eid(level, "m" + i), kind: "mount", level: level,
            source: eid(level, m[0]), target: eid(level, m[1]), rw: m[3] ? 1 : 0, label: m[2], stroke: BROWN } });
        });
      },
      /* a node of a level: is it (or are some of its members) equivalent to the host? */
      mark: function (level, map, d) {
        var text = level === "container" ? (has(powered, d.ref) ? "equivalent to the host" : "") : (groupPower(map)[d.ref] || "");
        if (text) { d.hosteq = 1; d.label += "\n⚠ " + text; }
      },
      /* the data nodes to show with the nodes kept (`keep`), all of them for the whole level */
      shown: function (level, map, keep, focus) {
        var out = [];
        if (!focus) { return (map.data || []).map(function (n) { return n[0]; }); }
        mountRows(level, map).forEach(function (m) { if (keep.has(m[0]) && out.indexOf(m[1]) < 0) { out.push(m[1]); } });
        return out;
      },
      /* channel lines between the nodes standing for containers (`rep`), for the reach view */
      channels: function (level, rep, eid, sizeOf) {
        var merged = new Map(), edges = [], hosts = new Map();
        state.cut = false;
        if (!shown) { return edges; }
        (data.channels || []).forEach(function (ch) {
          if (ch[2] === "host") { return; } /* one arrow to the host instead */
          var a = rep(ch[0]), b = rep(ch[1]);
          if (!a || !b || a === b) { return; }
          var family = ch[2] === "ipc" || ch[2] === "pid" ? "ns" : "data";
          var lo = a < b ? a : b, hi = a < b ? b : a, key = lo + "\u0000" + hi + "\u0000" + family;
          var m = merged.get(key);
          if (!m) { m = { what: new Set(), flows: new Set(), family: family }; merged.set(key, m); }
          m.what.add(ch[2] + " " + ch[3]);
          m.flows.add(a + "\u0000" + b);
        });
        merged.forEach(function (m, key) {
          if (edges.length >= LIMIT) { state.cut = true; return; }
          var flow = Array.from(m.flows).sort()[0].split("\u0000"), text = Array.from(m.what).sort().join(", ");
          edges.push({ group: "edges", data: { id: "ch|" + key, kind: "channel", family: m.family,
            source: eid(level, flow[0]), target: eid(level, flow[1]), both: m.flows.size > 1 ? 1 : 0,
            label: shorten(text, 40), stroke: m.family === "ns" ? VIOLET : BROWN } });
        });
        Object.keys(powered).forEach(function (id) {
          var ci = index[id], r = rep(ci);
          if (r && data.containers[ci].running) { hosts.set(r, (hosts.get(r) || 0) + 1); }
        });
        hosts.forEach(function (count, r) {
          var size = sizeOf(r);
          edges.push({ group: "edges", data: { id: "he|" + r, kind: "channel", family: "host", source: eid(level, r),
            target: eid(level, "host"), both: 0, stroke: RED,
            label: "equivalent to the host" + (count < size ? " · " + count + " of " + size : "") } });
        });
        return edges;
      },
      panel: function (c, list) {
        if (!shown) { return; }
        list("Mounts (brown; dashed read-only)", mountsOf[c.id] || []);
        list("Can affect besides the network", outgoing[c.id] || []);
        if (powered[c.id]) { list("Equivalent to the host through", powered[c.id]); }
        if (!data.channels_complete) { list("Channels", ["limited to the first ones: see netviz audit"]); }
      },
      groupPanel: function (g, list) {
        if (shown && g.data_rows && g.data_rows.length) { list("Data kept inside (drill down to see it)", g.data_rows); }
      },
      legend: function (box, el, drawn, view) {
        if (!shown) { box.appendChild(el("li", "volumes, host paths and channels hidden (--no-data)", "muted")); return; }
        var kinds = {};
        drawn.forEach(function (e) {
          if (e.data("kind") === "mount") { kinds[e.data("rw") ? "rw" : "ro"] = true; }
          if (e.data("kind") === "data") { kinds.data = true; }
          if (e.data("hosteq") === 1) { kinds.hosteq = true; }
          if (e.data("kind") === "channel") { kinds[e.data("family")] = true; }
          if (e.data("kind") === "group" && e.data("inside")) { kinds.inside = true; }
        });
        [["rw", "solid", BROWN, "mounts a volume or host path read-write"], ["ro", "dashed", BROWN, "mounts it read-only"],
          ["data", "dotted", BROWN, "channel: shares a volume or host path (◆ at the reader)"],
          ["ns", "dotted", VIOLET, "channel: shares an IPC or PID namespace"]].forEach(function (s) {
          if (!kinds[s[0]] || (s[0] === "data" && view !== "reachability")) { return; }
          var li = el("li"), line = el("span", null, "line");
          line.style.borderTopStyle = s[1]; line.style.borderTopColor = s[2];
          li.appendChild(line); li.appendChild(el("span", s[3])); box.appendChild(li);
        });
        if (kinds.data && view !== "reachability") { box.appendChild(el("li", "barrel: volume; cut box: host path", "muted")); }
        if (kinds.hosteq || kinds.host) { box.appendChild(el("li", "red box: equivalent to the host (power over every container on it)", "muted")); }
        if (kinds.inside) { box.appendChild(el("li", "a group's own volumes and channels among its members are listed in it: drill down to see them", "muted")); }
        if (state.cut) { box.appendChild(el("li", "too many channel lines: the first " + LIMIT + " are drawn (netviz audit lists every channel)", "caveat")); }
      }
    };
  };
})();
