(function () {
  /* lookup/: HL7 Infobutton-style look-up by diagnosis code (scripts/content_api.py puts this
     file inline, and scripts/security_headers.py allows exactly its text by hash).
     mainSearchCriteria.v.c is the code, mainSearchCriteria.v.cs its code system's OID,
     mainSearchCriteria.v.dn its display name (words for search when no page fits), and
     informationRecipient.languageCode.c is read for when the guide has more than one language.
     A more specific code finds its parent's page: M54.31, then M54.3, then M54.
     Without script, the page shows the table of codes instead. */
  var data = JSON.parse(document.getElementById("lookup-data").textContent);
  var params = new URLSearchParams(location.search);
  var raw = (params.get("mainSearchCriteria.v.c") || "").replace(/\s+/g, "").toUpperCase();
  if (!raw) return;
  var oid = (params.get("mainSearchCriteria.v.cs") || "").trim();
  var words = (params.get("mainSearchCriteria.v.dn") || "").trim();
  var language = (params.get("informationRecipient.languageCode.c") || data.language).trim();
  var code = raw.indexOf(".") < 0 && raw.length > 3 ? raw.slice(0, 3) + "." + raw.slice(3) : raw;
  var systems = oid ? (data.oids[oid] ? [data.oids[oid]] : []) : data.order;

  function find(system) {
    var table = data.codes[system] || {};
    for (var wanted = code; wanted; wanted = wanted.slice(0, -1).replace(/\.$/, "")) {
      if (Object.prototype.hasOwnProperty.call(table, wanted)) return table[wanted];
      if (wanted.indexOf(".") < 0) return null;
    }
    return null;
  }

  var found = null;
  for (var i = 0; i < systems.length && !found; i++) found = find(systems[i]);
  document.documentElement.setAttribute("data-lookup-language", language);
  if (found) {
    var link = document.querySelector("[data-lookup-link]");
    link.href = found.href;
    link.textContent = found.title;
    document.getElementById("lookup-found").hidden = false;
    location.replace(found.href);
    return;
  }
  document.querySelector("[data-lookup-code]").textContent = raw;
  document.querySelector("[data-lookup-search]").href = data.search + encodeURIComponent(words || raw);
  document.getElementById("lookup-unknown").hidden = false;
  document.title = "No page for " + raw + " - " + document.title;
})();
