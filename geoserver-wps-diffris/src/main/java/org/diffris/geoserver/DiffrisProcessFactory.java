package org.diffris.geoserver;

import org.geotools.process.factory.AnnotatedBeanProcessFactory;
import org.geotools.text.Text;

/**
 * The GeoTools process factory of namespace {@value #NAMESPACE}, registered in
 * {@code META-INF/services/org.geotools.process.ProcessFactory}: GeoServer's WPS lists every
 * factory GeoTools' {@code Processors} finds there. It publishes {@link SegmentProcess} as
 * {@code diffris:Segment} (the bean factory drops the trailing "Process").
 */
public class DiffrisProcessFactory extends AnnotatedBeanProcessFactory {
  public static final String NAMESPACE = "diffris";

  public DiffrisProcessFactory() {
    super(Text.text("DiffRIS referring segmentation"), NAMESPACE, SegmentProcess.class);
  }
}
