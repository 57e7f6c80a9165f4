# Load every table of the Banjska data package in R, with column types taken from the Table Schemas.
#
# Uses only base R, readr and jsonlite (Debian: r-base-core r-cran-readr r-cran-jsonlite).
#
#   Rscript R/load_package.R [PACKAGE]      # PACKAGE: directory, datapackage.json or release .zip (default ".")
#
# As a library:  source("R/load_package.R"); tables <- load_package("datapackage.json"); str(tables$events)
#
# Types: string -> character, integer -> integer, number -> double, boolean -> logical (trueValues /
# falseValues, default "true"/"false"), date -> Date, time -> hms (readr), enum -> factor with levels in
# schema order. Only the schema's missingValues (here "") are missing: a literal "NA" stays text.
# Checks, stopping with an error on failure: header = schema fields in order, no parse problems,
# row count = the file's line count minus the header, and every column's class as the schema says.

suppressPackageStartupMessages({
  library(readr)
  library(jsonlite)
})

.schema_col <- function(field) {
  enum <- field$constraints$enum
  type <- if (is.null(field$type)) "any" else field$type
  if (!is.null(enum) && type %in% c("string", "integer")) {
    return(col_factor(levels = as.character(unlist(enum)), ordered = isTRUE(field$categoriesOrdered)))
  }
  switch(type,
    string = col_character(),
    integer = col_integer(),
    year = col_integer(),
    number = col_double(),
    boolean = col_character(), # converted below with the schema's trueValues / falseValues
    date = col_date(format = if (is.null(field$format) || field$format %in% c("default", "any")) "%Y-%m-%d" else field$format),
    time = col_time(format = if (is.null(field$format) || field$format %in% c("default", "any")) "%H:%M:%S" else field$format),
    datetime = col_datetime(),
    col_character()
  )
}

.expected_class <- function(field) {
  type <- if (is.null(field$type)) "any" else field$type
  if (!is.null(field$constraints$enum) && type %in% c("string", "integer")) return("factor")
  switch(type, string = "character", integer = "integer", year = "integer", number = "numeric",
         boolean = "logical", date = "Date", time = "hms", datetime = "POSIXct", "character")
}

.locate <- function(package) {
  if (grepl("\\.zip$", package, ignore.case = TRUE)) {
    names <- utils::unzip(package, list = TRUE)$Name
    bad <- names[grepl("^/|^[A-Za-z]:|(^|/)\\.\\.(/|$)", names)]
    if (length(bad)) stop("unsafe member(s) in ", package, ": ", paste(bad, collapse = ", "))
    dir <- tempfile("package-")
    utils::unzip(package, exdir = dir)
    package <- dir
  }
  if (dir.exists(package)) package <- file.path(package, "datapackage.json")
  if (!file.exists(package)) stop("no data package at ", package)
  package
}

load_package <- function(package = ".", verbose = FALSE) {
  descriptor_path <- .locate(package)
  base <- dirname(descriptor_path)
  descriptor <- fromJSON(descriptor_path, simplifyVector = FALSE)
  tables <- list()
  for (res in descriptor$resources) {
    if (!identical(res$type, "table") && !identical(res$profile, "tabular-data-resource")) next
    schema <- if (is.character(res$schema)) fromJSON(file.path(base, res$schema), simplifyVector = FALSE) else res$schema
    fields <- schema$fields
    names(fields) <- vapply(fields, function(f) f$name, "")
    for (f in fields) if (!is.null(f$missingValues)) stop(res$name, ".", f$name, ": field-level missingValues are not supported")
    na <- if (is.null(schema$missingValues)) "" else unlist(schema$missingValues)
    path <- file.path(base, res$path)
    header <- names(read_csv(path, n_max = 0, col_types = cols(.default = col_character()), progress = FALSE))
    if (!identical(header, names(fields))) {
      stop(res$name, ": header (", paste(header, collapse = ","), ") is not the schema's fields in order")
    }
    col_types <- do.call(cols, lapply(fields, .schema_col))
    data <- read_csv(path, col_types = col_types, na = na, trim_ws = FALSE,
                     progress = FALSE, locale = locale(encoding = if (is.null(res$encoding)) "UTF-8" else res$encoding))
    problems <- problems(data)
    if (nrow(problems) > 0) {
      p <- problems[1, ]
      stop(res$name, ": ", nrow(problems), " value(s) do not match the schema, first at row ", p$row,
           " column ", p$col, ": expected ", p$expected, ", got '", p$actual, "'")
    }
    for (f in fields) {
      if (identical(f$type, "boolean") && is.null(f$constraints$enum)) {
        true <- if (is.null(f$trueValues)) c("true", "True", "TRUE", "1") else unlist(f$trueValues)
        false <- if (is.null(f$falseValues)) c("false", "False", "FALSE", "0") else unlist(f$falseValues)
        text <- data[[f$name]]
        bad <- !is.na(text) & !(text %in% c(true, false))
        if (any(bad)) stop(res$name, ".", f$name, ": not a boolean: '", text[bad][1], "'")
        data[[f$name]] <- ifelse(is.na(text), NA, text %in% true)
      }
    }
    attr(data, "problems") <- NULL
    data <- as.data.frame(data, stringsAsFactors = FALSE)
    # Row count: every record of these CSVs is one physical line (no quoted line breaks), so it must equal
    # the file's line count minus the header line; a mismatch means rows were dropped or merged.
    lines <- length(readLines(path, warn = FALSE, encoding = "UTF-8"))
    if (nrow(data) != lines - 1) stop(res$name, ": ", nrow(data), " rows read but the file has ", lines - 1, " data lines")
    for (f in fields) {
      want <- .expected_class(f)
      got <- class(data[[f$name]])
      if (!(want %in% got)) stop(res$name, ".", f$name, ": class ", paste(got, collapse = "/"), ", schema wants ", want)
      if (want == "factor" && !identical(levels(data[[f$name]]), as.character(unlist(f$constraints$enum)))) {
        stop(res$name, ".", f$name, ": factor levels differ from the schema's enum")
      }
    }
    tables[[res$name]] <- data
  }
  tables
}

summarise_package <- function(tables) {
  for (name in names(tables)) {
    data <- tables[[name]]
    classes <- vapply(data, function(x) class(x)[1], "")
    counts <- table(factor(classes, levels = unique(classes)))
    cat(sprintf("%-17s %4d rows %3d cols  missing %4d  %s\n", name, nrow(data), ncol(data), sum(is.na(data)),
                paste(sprintf("%s:%d", names(counts), as.integer(counts)), collapse = " ")))
  }
  cat(sprintf("OK: %d tables, %d rows; row counts and column classes match the Table Schemas\n",
              length(tables), sum(vapply(tables, nrow, 0L))))
}

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  tables <- tryCatch(load_package(if (length(args)) args[[1]] else "."),
                     error = function(e) { message("Error: ", conditionMessage(e)); quit(status = 1) })
  summarise_package(tables)
}
