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
    var nodes = {}, powered = {}, mountsOf = {}, index = {}, state = { cut: false };
    var shown = data.data_shown !== false;
    var linear = data.channels || { data: [], ns: [], volumes_from: [] };
    data.containers.forEach(function (c, i) { index[c.id] = i; });
    (data.data || []).forEach(function (d) { nodes[d.id] = d; });
    (data.mounts || []).forEach(function (m) {
      (mountsOf[m[0]] = mountsOf[m[0]] || []).push(nodes[m[1]].name + " at " + m[2] + (m[3] ? "" : " (read-only)"));
    });
    (data.host_equivalent || []).forEach(function (h) { powered[h.id] = h.powers; });
    function names(list, except) {
      var out = list.filter(function (i) { return i !== except; }).map(function (i) { return data.containers[i].name; });
      return out.length > 8 ? out.slice(0, 8).join(", ") + " … (+" + (out.length - 8) + ")" : out.join(", ");
    }
    function outgoing(ci) {
      /* what container ci can affect besides the network, from the linear form */
      var out = [], c = data.containers[ci];
      linear.data.forEach(function (d) {
        if (d[1].indexOf(ci) >= 0 && d[2].length > 1) { out.push("writes " + d[0] + " → " + names(d[2], ci)); }
      });
      linear.ns.forEach(function (n) {
        if (n[2].indexOf(ci) >= 0) { out.push(n[0] + " namespace of " + n[1] + " → " + names(n[2], ci)); }
      });
      linear.volumes_from.forEach(function (v) {
        if (v[0] === ci) { out.push("volumes-from → " + data.containers[v[1]].name); }
        if (v[1] === ci && !v[2]) { out.push("volumes-from (both write) → " + data.containers[v[0]].name); }
      });
      if (powered[c.id] && c.running) { out.push("every container on " + (c.host ? "host " + c.host : "its host") + ": equivalent to the host"); }
      return out;
    }
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
        function reps(list) {
          var found = new Set();
          list.forEach(function (ci) { var r = rep(ci); if (r) { found.add(r); } });
          return Array.from(found);
        }
        function join(sources, targets, family, what) {
          /* a line per two drawn nodes and family; at most LIMIT of them */
          sources.forEach(function (a) {
            targets.forEach(function (b) {
              if (a === b) { return; }
              var lo = a < b ? a : b, hi = a < b ? b : a, key = lo + "\u0000" + hi + "\u0000" + family;
              var m = merged.get(key);
              if (!m) {
                if (merged.size >= LIMIT) { state.cut = true; return; }
                m = { what: new Set(), flows: new Set(), family: family };
                merged.set(key, m);
              }
              m.what.add(what);
              m.flows.add(a + "\u0000" + b);
            });
          });
        }
        linear.data.forEach(function (d) { join(reps(d[1]), reps(d[2]), "data", d[0]); });
        linear.ns.forEach(function (n) { var r = reps(n[2]); join(r, r, "ns", n[0] + " namespace of " + n[1]); });
        linear.volumes_from.forEach(function (v) {
          var src = reps([v[0]]), dst = reps([v[1]]), what = "volumes-from " + data.containers[v[0]].name;
          join(src, dst, "data", what);
          if (!v[2]) { join(dst, src, "data", what); }
        });
        merged.forEach(function (m, key) {
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
        list("Can affect besides the network", outgoing(c.index));
        if (powered[c.id]) { list("Equivalent to the host through", powered[c.id]); }
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
