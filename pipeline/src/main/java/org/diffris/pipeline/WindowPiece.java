package org.diffris.pipeline;

import org.diffris.vectorizer.PixelBounds;
import org.locationtech.jts.geom.Geometry;

/**
 * A region of one window's core (a {@link WindowPlan}), in the whole raster's pixel coordinates,
 * so that pieces of one object from neighbouring windows can be merged exactly
 * ({@link WindowPieces#merge}) before {@link SegmentationPlan#region} places the result in the
 * world.
 *
 * @param pixelGeometry the piece's outline in raster pixel corners (whole numbers): a Polygon, or
 *     a MultiPolygon of parts touching at corners, as the vectorizer makes them
 * @param pixels the piece's mask pixels
 * @param probabilitySum the sum of its pixels' probabilities (the score is this over
 *     {@code pixels})
 * @param areaSquareMetres its area as the raster's area model measures it
 * @param bounds the pixels it covers, in raster pixel corners
 * @param open whether it touches a side of its core that lies inside the raster: then the object
 *     may go on in the next window, and the piece must be merged before it is an answer
 */
public record WindowPiece(
    Geometry pixelGeometry,
    long pixels,
    double probabilitySum,
    double areaSquareMetres,
    PixelBounds bounds,
    boolean open) {}
