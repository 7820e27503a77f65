/* docker-netviz interactive view. Engine text is data: it reaches the page only through
   textContent and cytoscape's canvas labels, never as markup. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("netviz-data").textContent);
  var DRIVERS = {
    bridge: ["#dbeafe", "#1d4ed8"], overlay: ["#ede9fe", "#6d28d9"], macvlan: ["#ffedd5", "#c2410c"],
    ipvlan: ["#fef3c7", "#a16207"], host: ["#fee2e2", "#b91c1c"], null: ["#f1f5f9", "#64748b"]
  };
  var PLUGIN = ["#dcfce7", "#15803d"];
  function colors(driver) { return Object.prototype.hasOwnProperty.call(DRIVERS, driver) ? DRIVERS[driver] : PLUGIN; }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  /* ---- elements ---- */
  var elements = [];
  var projects = {}, boxes = {}, hosts = {};
  function hostBox(host) {
    if (!host) { return undefined; }
    if (!hosts[host]) {
      hosts[host] = "h" + Object.keys(hosts).length;
      elements.push({ data: { id: hosts[host], label: "host " + host, kind: "host" } });
    }
    return hosts[host];
  }
  function parentOf(project, host) {
    if (!project) { return hostBox(host); }
    projects[project] = true;
    var key = JSON.stringify([host || "", project]);
    if (!boxes[key]) {
      boxes[key] = "p" + Object.keys(boxes).length;
      elements.push({ data: { id: boxes[key], label: "compose project " + project, kind: "project", parent: hostBox(host) } });
    }
    return boxes[key];
  }
  var byId = {};
  data.networks.forEach(function (n) {
    byId[n.id] = n;
    var c = colors(n.driver);
    var flags = [];
    if (n.internal) { flags.push("INTERNAL"); }
    if (n.policy === "isolated") { flags.push("ICC OFF"); }
    if (n.policy === "by-ip") { flags.push("NO DNS"); }
    elements.push({ data: {
      id: n.id, kind: "network", name: n.name, fill: c[0], stroke: c[1], internal: n.internal ? 1 : 0,
      label: n.name + "\n" + n.driver + (flags.length ? "\n" + flags.join(" · ") : ""),
      parent: parentOf(n.project, n.host)
    } });
  });
  data.containers.forEach(function (c) {
    byId[c.id] = c;
    elements.push({ data: {
      id: c.id, kind: "container", name: c.name, running: c.running ? 1 : 0,
      label: c.name + (c.findings.length ? "\n⚠ " + c.findings.join(" ") : ""),
      parent: parentOf(c.project, c.host)
    } });
  });
  data.links.forEach(function (l, i) {
    var c = colors(byId[l[0]].driver);
    elements.push({ data: { id: "e" + i, source: l[0], target: l[1], policy: l[2], stroke: c[1] } });
  });
  data.containers.forEach(function (c, i) {
    if (c.netns_of) {
      elements.push({ data: { id: "s" + i, source: c.id, target: c.netns_of, policy: "sidecar" } });
    }
  });

  var ext = window.netvizData ? window.netvizData(data) : null;  /* data.js: volumes, channels */
  if (ext) { elements = elements.concat(ext.elements); }

  /* ---- reachability, both directions ---- */
  var out = {}, into = {};
  data.containers.forEach(function (c) { out[c.id] = {}; into[c.id] = {}; });
  data.reach.forEach(function (r) {
    var a = data.containers[r[0]].id, b = data.containers[r[1]].id;
    out[a][b] = r[2]; into[b][a] = r[2];
  });

  /* ---- seeded layout, so the same file always draws the same picture ---- */
  var seed = 7;
  var random = Math.random;
  Math.random = function () {
    seed = (seed + 0x6D2B79F5) | 0;
    var t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  var cy = cytoscape({
    container: document.getElementById("graph"),
    elements: elements,
    wheelSensitivity: 0.3,
    minZoom: 0.05,
    maxZoom: 4,
    style: [
      { selector: "node", style: { "label": "data(label)", "text-wrap": "wrap", "font-size": 11,
        "text-valign": "center", "text-halign": "center", "color": "#0f172a" } },
      { selector: "node[kind = 'network']", style: { "shape": "round-rectangle", "background-color": "data(fill)",
        "border-color": "data(stroke)", "border-width": 2, "width": "label", "height": "label", "padding": 10 } },
      { selector: "node[kind = 'network'][internal = 1]", style: { "border-style": "double", "border-width": 5 } },
      { selector: "node[kind = 'container']", style: { "shape": "round-rectangle", "background-color": "#ffffff",
        "border-color": "#334155", "border-width": 1, "width": "label", "height": "label", "padding": 8 } },
      { selector: "node[kind = 'container'][running = 0]", style: { "background-color": "#f1f5f9",
        "border-style": "dashed", "border-color": "#9ca3af", "color": "#64748b" } },
      { selector: "node[kind = 'host']", style: { "background-color": "#ffffff", "border-width": 2,
        "border-color": "#0f172a", "label": "data(label)", "text-valign": "top", "font-weight": "bold" } },
      { selector: "node[kind = 'project']", style: { "background-color": "#f8fafc", "border-style": "dashed",
        "border-color": "#64748b", "label": "data(label)", "text-valign": "top", "color": "#334155" } },
      { selector: "edge", style: { "width": 2, "line-color": "data(stroke)", "curve-style": "bezier" } },
      { selector: "edge[policy = 'by-ip']", style: { "line-style": "dashed" } },
      { selector: "edge[policy = 'isolated']", style: { "line-style": "dotted", "line-color": "#dc2626",
        "target-arrow-shape": "tee", "target-arrow-color": "#dc2626" } },
      { selector: "edge[policy = 'host']", style: { "width": 4 } },
      { selector: "edge[policy = 'none'], edge[policy = 'stopped']", style: { "line-style": "dotted",
        "line-color": "#9ca3af" } },
      { selector: "edge[policy = 'sidecar']", style: { "line-style": "dashed", "line-color": "#7c3aed",
        "target-arrow-shape": "triangle", "target-arrow-color": "#7c3aed" } },
      { selector: ".faded", style: { "opacity": 0.15 } },
      { selector: ".hidden", style: { "display": "none" } },
      { selector: "node.selected", style: { "border-width": 4, "border-color": "#0f172a", "opacity": 1 } },
      { selector: "node.reaches", style: { "background-color": "#dcfce7", "border-color": "#15803d", "border-width": 3, "opacity": 1 } },
      { selector: "node.reached-by", style: { "background-color": "#dbeafe", "border-color": "#1d4ed8", "border-width": 3, "opacity": 1 } },
      { selector: "node.mutual", style: { "background-color": "#ede9fe", "border-color": "#7c3aed", "border-width": 3, "opacity": 1 } },
      { selector: "node.match", style: { "border-color": "#f59e0b", "border-width": 4, "opacity": 1 } }
    ].concat(ext ? ext.style : []),
    layout: { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, padding: 30,
      nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 80; } }
  });
  Math.random = random;
  if (ext) { ext.attach(cy); }

  /* ---- side panel ---- */
  var details = document.getElementById("details");
  function clearDetails() {
    while (details.firstChild) { details.removeChild(details.firstChild); }
  }
  function list(title, items) {
    details.appendChild(el("h2", title));
    var ul = el("ul", null, "plain");
    if (!items.length) { ul.appendChild(el("li", "none", "muted")); }
    items.forEach(function (item) { ul.appendChild(item instanceof Node ? item : el("li", item)); });
    details.appendChild(ul);
  }
  function reset() {
    cy.elements().removeClass("faded selected reaches reached-by mutual match");
    clearDetails();
    details.appendChild(el("p", "Click a container to see what it reaches and what reaches it; click a network to see its members.", "muted"));
  }
  var highlighted = { selected: null, reaches: [], reachedBy: [] };
  function selectContainer(id) {
    var c = byId[id];
    reset();
    clearDetails();
    cy.elements().addClass("faded");
    var node = cy.getElementById(id);
    node.removeClass("faded").addClass("selected");
    var reaches = Object.keys(out[id]), reachedBy = Object.keys(into[id]);
    reaches.forEach(function (other) {
      var cls = into[id][other] !== undefined ? "mutual" : "reaches";
      cy.getElementById(other).removeClass("faded").addClass(cls);
    });
    reachedBy.forEach(function (other) {
      if (out[id][other] === undefined) { cy.getElementById(other).removeClass("faded").addClass("reached-by"); }
    });
    node.connectedEdges().removeClass("faded").connectedNodes().removeClass("faded");
    highlighted = { selected: c.name, reaches: reaches.map(function (k) { return byId[k].name; }).sort(),
      reachedBy: reachedBy.map(function (k) { return byId[k].name; }).sort() };
    details.appendChild(el("h2", "Container"));
    details.appendChild(el("p", c.name));
    details.appendChild(el("p", c.image + " · " + c.state + (c.mode ? " · network mode " + c.mode : "") +
      (c.host ? " · on " + c.host : ""), "muted"));
    list("Networks", c.endpoints.map(function (e) { return byId[e.net].name + ": " + (e.ips.join(", ") || "no address"); }));
    list("Published ports", c.ports);
    list("Reaches (green; purple both ways)", reaches.map(function (k) {
      return el("li", byId[k].name + (out[id][k] ? " — by name" : " — by IP only"), into[id][k] !== undefined ? "reach-both" : "reach-out");
    }));
    list("Reached by (blue)", reachedBy.map(function (k) {
      return el("li", byId[k].name + (into[id][k] ? " — by name" : " — by IP only"), "reach-in");
    }));
    list("Its findings", c.findings);
    if (ext) { ext.panel(c, list); }
    if (!data.reach_complete) { details.appendChild(el("p", "Reachability is limited to the first pairs: see netviz audit.", "caveat")); }
  }
  function selectNetwork(id) {
    var n = byId[id];
    reset();
    clearDetails();
    cy.elements().addClass("faded");
    var node = cy.getElementById(id);
    node.removeClass("faded").addClass("selected");
    node.connectedEdges().removeClass("faded");
    node.neighborhood("node").removeClass("faded");
    details.appendChild(el("h2", "Network"));
    details.appendChild(el("p", n.name));
    details.appendChild(el("p", n.driver + " · " + n.scope + (n.host ? " · on " + n.host : "") +
      " · members " + n.policy_text, "muted"));
    list("Subnets", n.subnets);
    list("Members", node.neighborhood("node[kind = 'container']").map(function (m) { return m.data("name"); }).sort());
    list("Its findings", n.findings);
    highlighted = { selected: n.name, reaches: [], reachedBy: [] };
  }
  cy.on("tap", "node[kind = 'container']", function (e) { selectContainer(e.target.id()); });
  cy.on("tap", "node[kind = 'network']", function (e) { selectNetwork(e.target.id()); });
  cy.on("tap", function (e) { if (e.target === cy) { reset(); highlighted = { selected: null, reaches: [], reachedBy: [] }; } });

  /* ---- filters and search ---- */
  function fill(select, values) {
    values.forEach(function (v) { var o = el("option", v); o.value = v; select.appendChild(o); });
  }
  var netFilter = document.getElementById("filter-network"), projFilter = document.getElementById("filter-project");
  fill(netFilter, data.networks.map(function (n) { return n.name; }).sort());
  fill(projFilter, Object.keys(projects).sort());
  function applyFilters() {
    var net = netFilter.value, proj = projFilter.value;
    cy.elements().removeClass("hidden");
    if (!net && !proj) { return; }
    var keep = cy.collection();
    cy.nodes("[kind = 'container']").forEach(function (node) {
      var c = byId[node.id()];
      var inNet = !net || node.neighborhood("node[kind = 'network']").some(function (n) { return n.data("name") === net; });
      var inProj = !proj || c.project === proj;
      if (inNet && inProj) { keep = keep.union(node); }
    });
    keep = keep.union(keep.neighborhood("node[kind = 'network']"));
    if (net) { keep = keep.union(cy.nodes("[kind = 'network']").filter(function (n) { return n.data("name") === net; })); }
    keep = keep.union(keep.ancestors());
    cy.nodes().not(keep).addClass("hidden");
    cy.fit(keep, 40);
  }
  netFilter.addEventListener("change", applyFilters);
  projFilter.addEventListener("change", applyFilters);
  function search(query) {
    cy.nodes().removeClass("match");
    var q = String(query).trim().toLowerCase();
    if (!q) { return []; }
    var hits = cy.nodes("[name]").filter(function (n) { return n.data("name").toLowerCase().indexOf(q) >= 0; });
    hits.addClass("match");
    if (hits.length) { cy.fit(hits, 80); }
    return hits.map(function (n) { return n.data("name"); }).sort();
  }
  document.getElementById("search").addEventListener("input", function (e) { search(e.target.value); });
  document.getElementById("fit").addEventListener("click", function () { cy.fit(undefined, 30); });

  /* ---- findings and legend ---- */
  var findings = document.getElementById("findings");
  if (!data.findings.length) { findings.appendChild(el("li", "none", "muted")); }
  data.findings.forEach(function (f) {
    var li = el("li", null, "finding");
    li.appendChild(el("span", f.severity, "sev sev-" + f.severity));
    li.appendChild(el("span", f.id + " " + f.title + ": " + f.subjects.join(", ")));
    li.title = f.explanation;
    li.addEventListener("click", function () {
      cy.elements().removeClass("match");
      var hits = cy.nodes("[name]").filter(function (n) { return f.subjects.indexOf(n.data("name")) >= 0; });
      hits.addClass("match");
      if (hits.length) { cy.fit(hits, 80); }
    });
    findings.appendChild(li);
  });
  var legend = document.getElementById("legend");
  Object.keys(DRIVERS).concat(["plugin"]).forEach(function (d) {
    var c = colors(d === "plugin" ? "" : d), li = el("li");
    var sw = el("span", null, "swatch"); sw.style.background = c[0]; sw.style.borderColor = c[1];
    li.appendChild(sw); li.appendChild(el("span", d + " network")); legend.appendChild(li);
  });
  [["solid", "#1d4ed8", "members reach each other by IP and name"], ["dashed", "#1d4ed8", "by IP only (default bridge)"],
   ["dotted", "#dc2626", "members blocked (icc off)"], ["dotted", "#9ca3af", "no network / not running"],
   ["dashed", "#7c3aed", "sidecar shares the stack of"]].forEach(function (s) {
    var li = el("li"), line = el("span", null, "line");
    line.style.borderTopStyle = s[0]; line.style.borderTopColor = s[1];
    li.appendChild(line); li.appendChild(el("span", s[2])); legend.appendChild(li);
  });
  legend.appendChild(el("li", "double border: internal network; dashed box: not running", "muted"));
  if (ext) { ext.legend(legend, el); }

  reset();
  window.netviz = {
    cy: cy, ready: true, search: search,
    select: function (name) {
      var node = cy.nodes("[name]").filter(function (n) { return n.data("name") === name; })[0];
      if (!node) { return false; }
      if (node.data("kind") === "container") { selectContainer(node.id()); } else if (node.data("kind") === "network") { selectNetwork(node.id()); } else { return false; }
      return true;
    },
    highlighted: function () { return highlighted; }
  };
})();
