/**
 * The {@code palisade} command line (picocli): {@link dev.palisade.cli.Main} and one class per
 * subcommand; the table and JSON renderers turn scenario results into text, the html and dot
 * renderers draw them (a {@link dev.palisade.cli.Picture}). Exit statuses are
 * those of SCENARIO.md: 0 all matched, 1 a mismatch (or a lint error), 2 unusable input.
 */
package dev.palisade.cli;
