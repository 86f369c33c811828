"""Documents made from the journal: the clinician PDF and the FHIR bundle.

An output layer like ``mitra.cli`` and ``mitra.web``: it renders plain records that services
gather (``mitra.services.report_data``) and never opens the database itself. Services must
not import this package. Heavy libraries (reportlab, svglib, fhir.resources) are imported by
these modules only, and these modules only when a command asks for a document.

- ``pdf_style``: fonts, paragraph styles, the page frame with page numbers.
- ``pdf_charts``: the web's SVG charts placed in a PDF.
- ``pdf_document``: the clinician report's sections, in order, page 1 opening with the
  "at a glance" box.
- ``fhir_codes``: code systems used in the bundle, and the reviewed table of standard codes
  (LOINC, SNOMED CT, RxNorm; ``mitra/data/fhir_codes.toml``, each with its version and source).
- ``fhir_bundle``: ReportData as a FHIR R4 (R4B models) collection Bundle.
- ``fhir_checks``: bundle invariants fhir.resources does not check (references, fullUrls,
  code systems), run before anything is written.
"""
