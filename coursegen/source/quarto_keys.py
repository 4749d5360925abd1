"""The front-matter keys Quarto defines for a page, accepted in a chapter's front matter without a warning.

Source: the document options of Quarto's schema (``src/resources/schema/document-*.yml`` in quarto-dev/quarto-cli,
the data behind https://quarto.org/docs/reference/formats/html and the other format references), plus the
execution and code options Quarto also reads at the top of a page (``echo``, ``eval``, ``code-fold``…, see
https://quarto.org/docs/computations/execution-options.html) and the website keys ``categories``, ``draft``,
``execute``, ``params``. Most of them change nothing here (a page of this site has one format, HTML, and the
site's own theme); the ones the site uses are typed in ``source.chapters``.
"""

QUARTO_PAGE_KEYS = frozenset("""
    CJKmainfont CJKoptions abbreviations about abstract abstract-title adjusting affiliation aliases
    anchor-sections appendix-cite-as appendix-style article ascii aspectratio author author-meta auto-animate
    auto-animate-duration auto-animate-easing auto-animate-styles auto-animate-unmatched auto-play-media
    auto-slide auto-slide-method auto-slide-stoppable auto-stretch axe background-transition backgroundcolor
    beamerarticle beameroption belongs-to-collection biblatexoptions biblio-config biblio-style biblio-title
    bibliography bibliographystyle block-headings body-classes brand brand-mode cache canonical-url categories
    category center center-title-slide chalkboard citation citation-abbreviations citation-location
    citations-hover cite-method citecolor citeproc classoption code-annotations code-block-bg
    code-block-border-left code-block-height code-copy code-fold code-line-numbers code-link code-links
    code-overflow code-summary code-tools codefont collapse colorlinks colortheme colorthemeoptions columns
    comment comments contrastcolor contributor controls controls-back-arrows controls-layout controls-tutorial
    copyright coverage creator crossref crossrefs-hover csl css css-property-processing daemon daemon-restart
    data-dir date date-format date-meta date-modified debug default-image-extension default-timing defaults
    description description-meta df-print dir disable-layout display document-css documentclass doi dpi draft
    dump-args echo editor editor_options email-obfuscation email-version embed-resources embedded enabled engine
    eol epub-chapter-level epub-cover-image epub-fonts epub-metadata epub-subdirectory epub-title-page error
    eval execute expandable extract-media fail-if-warnings fig-align fig-asp fig-cap-location fig-dpi fig-format
    fig-height fig-responsive fig-width file-scope filecolor filters font-paths fontcolor fontenc fontfamily
    fontfamilyoptions fontsize fonttheme fontthemeoptions footer footertext footnotes-hover format format-links
    fragment-in-url fragments freeze from funding geometry grid group-position hash hash-one-based-index
    hash-type header header-includes headertext height help hide-cursor-time hide-inactive-cursor
    highlight-style history html-math-method html-pre-tag-processing html-q-tags html-table-processing
    hyperrefoptions hyphenate ibooks identifier identifier-prefix ignore-args image image-alt image-height
    image-lazy-loading image-width include include-after include-after-body include-before include-before-body
    include-in-header includesource incremental indent indented-code-classes indenting innertheme
    innerthemeoptions input-file input-files institute interlinespace ipynb ipynb-filters ipynb-output
    ipynb-shell-interactivity journal julia jump-to-slide jupyter keep-hidden keep-ipynb keep-md keep-source
    keep-tex keep-typ keyboard keywords knitr lang language latex-auto-install latex-auto-mk latex-clean
    latex-input-paths latex-makeindex latex-makeindex-opts latex-max-runs latex-min-runs latex-output-dir
    latex-tinytex latex-tlmgr-opts layout license lightbox lineheight linestretch link-bibliography
    link-citations link-external-filter link-external-icon link-external-newwindow linkcolor links-as-notes
    linkstyle list-tables listing listings lof log-file logo loop lot mainfont mainfontoptions margin
    margin-bottom margin-geometry margin-left margin-right margin-top markdown-headings mathfont mathfontoptions
    max-scale max-width menu merge-includes mermaid message metadata metadata-file metadata-files
    microtypeoptions min-scale minimal mobile-view-distance monobackgroundcolor monofont monofontoptions
    mouse-wheel multiplex natbiboptions nav-buttons navigation navigation-mode notebook-links
    notebook-preview-options notebook-subarticles notebook-view notebook-view-style notes
    notes-after-punctuation number-depth number-offset number-sections ojs-engine order orientation other-links
    outertheme outerthemeoptions output output-divs output-ext output-file output-location overview page-layout
    page-numbering page-progression-direction page-width pagenumbering pagestyle pagetitle papersize
    parallax-background-horizontal parallax-background-image parallax-background-size
    parallax-background-vertical params pause pdf-engine pdf-engine-opt pdf-engine-opts pdf-max-pages-per-slide
    pdf-page-height-offset pdf-separate-fragments pdf-standard pdfa pdfaiccprofile pdfaintent plotly-connected
    pointsize prefer-html preload-iframes preserve-tabs preview-links preview-mode progress prompt
    quarto-required reference-doc reference-location relation repo-actions request-headers resource-path
    resources respect-user-color-scheme respond-to-hash-changes results revealjs-url rights rtl s5-url sansfont
    sansfontoptions scroll-view scrollable scrolling search secnumdepth section section-divs section-numbering
    section-titles self-contained self-contained-math server shift-heading-level-by shortcodes shorthands
    show-notes show-slide-number shuffle slide-level slide-number slide-tone slideous-url slidy-url smaller
    smooth-scroll split-level strip-comments subject subtitle syntax-definition syntax-definitions
    syntax-highlighting tab-stop tabsets tags tbl-cap-location template template-partials thanks theme
    themeoptions theorem-appearance tidy title title-block-banner title-block-banner-color
    title-block-categories title-block-style title-meta title-prefix title-slide-attributes title-slide-style
    titlegraphic to toc toc-depth toc-expand toc-indent toc-location toc-title toccolor top-level-division touch
    trace track-changes transition transition-speed type urlcolor use-rsvg-convert variables variant verbosity
    view-distance warning whitespace width wrap zotero
""".split())
