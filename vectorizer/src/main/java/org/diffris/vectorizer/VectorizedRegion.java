package org.diffris.vectorizer;

import org.locationtech.jts.geom.Geometry;

/**
 * One connected region of the mask.
 *
 * @param geometry the region in world coordinates: a {@code Polygon}, or, at
 *     {@link Connectivity#EIGHT} when the region's pixels touch only through corners, a
 *     {@code MultiPolygon} of its edge-connected parts; valid, normalized
 * @param pixelCount number of mask pixels in the region
 * @param areaSquareMetres area of the region's pixels in square metres, as measured by the
 *     {@link AreaModel}; not changed by simplification
 * @param meanProbability mean probability of the region's pixels, or {@code NaN} when the input
 *     was a binary mask
 * @param pixelBounds the rectangle of pixels the region covers, in the raster's pixel corners
 *     (not changed by simplification)
 */
public record VectorizedRegion(
    Geometry geometry,
    long pixelCount,
    double areaSquareMetres,
    double meanProbability,
    PixelBounds pixelBounds) {}
