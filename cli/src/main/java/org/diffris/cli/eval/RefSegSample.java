package org.diffris.cli.eval;

/**
 * One line of a RefSegRS-layout split: the image and mask id, the expression, and its type
 * ({@code "unknown"} without an {@code expressions_<split>.tsv}).
 */
public record RefSegSample(String id, String type, String expression) {}
