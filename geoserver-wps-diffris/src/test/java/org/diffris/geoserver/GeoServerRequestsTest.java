package org.diffris.geoserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.geotools.process.Processors;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The ready requests under {@code sample-data/requests/}: checked offline against the process's
 * parameters, and POSTed to a live GeoServer when {@code GEOSERVER_URL} is set (for example
 * {@code http://localhost:8080/geoserver}; {@code GEOSERVER_USER} / {@code GEOSERVER_PASSWORD},
 * default admin / geoserver). The live checks need the layer {@code diffris:port}
 * (sample-data/scenes/port.tif) and, for the import, a vector store {@code results} in workspace
 * {@code diffris} (docs/geoserver.md).
 */
class GeoServerRequestsTest {
  static final Path REQUESTS = Path.of("..", "sample-data", "requests");
  static final String WPS = "http://www.opengis.net/wps/1.0.0";
  static final String OWS = "http://www.opengis.net/ows/1.1";

  static Document parse(String name) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    return f.newDocumentBuilder().parse(REQUESTS.resolve(name).toFile());
  }

  /** The identifiers of the inputs of every nested or top-level Execute of {@code process}. */
  static List<String> inputsOf(Document doc, String process) {
    List<String> names = new ArrayList<>();
    NodeList executes = doc.getElementsByTagNameNS(WPS, "Execute");
    for (int i = 0; i < executes.getLength(); i++) {
      Element execute = (Element) executes.item(i);
      Element id = (Element) execute.getElementsByTagNameNS(OWS, "Identifier").item(0);
      if (!id.getTextContent().trim().equals(process)) {
        continue;
      }
      Element dataInputs = (Element) execute.getElementsByTagNameNS(WPS, "DataInputs").item(0);
      for (org.w3c.dom.Node n = dataInputs.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element input && input.getLocalName().equals("Input")) {
          names.add(
              input.getElementsByTagNameNS(OWS, "Identifier").item(0).getTextContent().trim());
        }
      }
    }
    return names;
  }

  @Test
  void requestsUseOnlyTheProcessParameters() throws Exception {
    Set<String> params =
        Processors.createProcessFactory(SegmentProcessTest.NAME)
            .getParameterInfo(SegmentProcessTest.NAME)
            .keySet();
    for (String name :
        List.of("segment-sync-geojson.xml", "segment-async.xml", "segment-import-layer.xml")) {
      List<String> inputs = inputsOf(parse(name), "diffris:Segment");
      assertTrue(inputs.containsAll(List.of("coverage", "query")), name + ": " + inputs);
      assertTrue(params.containsAll(inputs), name + ": " + inputs + " not all in " + params);
    }
    Document chained = parse("segment-import-layer.xml");
    assertEquals(List.of("features", "workspace", "store", "name"), inputsOf(chained, "gs:Import"));
    String text = Files.readString(REQUESTS.resolve("segment-import-layer.xml"));
    assertTrue(text.contains("xlink:href=\"http://geoserver/wps\""));
    assertTrue(text.contains("xlink:href=\"http://geoserver/wcs\""));
    Element form =
        (Element)
            parse("segment-async.xml").getElementsByTagNameNS(WPS, "ResponseDocument").item(0);
    assertEquals("true", form.getAttribute("storeExecuteResponse"));
    assertEquals("true", form.getAttribute("status"));
  }

  // ---- live GeoServer -------------------------------------------------------------------------

  static String geoserver() {
    String url = System.getenv("GEOSERVER_URL");
    assumeTrue(
        url != null && !url.isBlank(),
        "GEOSERVER_URL is not set: the live GeoServer checks "
            + "are skipped (set it to e.g. http://localhost:8080/geoserver with the plugin installed)");
    return url.replaceAll("/+$", "");
  }

  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    String user = System.getenv().getOrDefault("GEOSERVER_USER", "admin");
    String password = System.getenv().getOrDefault("GEOSERVER_PASSWORD", "geoserver");
    request.header(
        "Authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return HTTP.send(
        request.timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(String base, String requestFile) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/wps"))
            .header("Content-Type", "text/xml")
            .POST(HttpRequest.BodyPublishers.ofFile(REQUESTS.resolve(requestFile))));
  }

  @Test
  void liveCapabilitiesListTheProcess() throws Exception {
    String base = geoserver();
    HttpResponse<String> r =
        send(
            HttpRequest.newBuilder(
                URI.create(
                    base
                        + "/wps?service=WPS&version=1.0.0&request=DescribeProcess&identifier=diffris:Segment")));
    assertEquals(200, r.statusCode(), r.body());
    for (String param :
        List.of(
            "coverage",
            "query",
            "threshold",
            "bands",
            "roi",
            "simplify",
            "minArea",
            "maxFeatures",
            "result")) {
      assertTrue(r.body().contains(">" + param + "<"), param + " missing in " + r.body());
    }
  }

  @Test
  void liveSynchronousExecuteReturnsGeoJson() throws Exception {
    HttpResponse<String> r = post(geoserver(), "segment-sync-geojson.xml");
    assertEquals(200, r.statusCode(), r.body());
    assertFalse(r.body().contains("ExceptionReport"), r.body());
    assertTrue(r.body().contains("\"FeatureCollection\""), r.body());
    if (r.body().contains("\"Feature\"")) {
      for (String attribute : List.of("\"query\"", "\"score\"", "\"area\"", "\"model\"")) {
        assertTrue(r.body().contains(attribute), attribute);
      }
    }
  }

  @Test
  void liveAsynchronousExecuteCanBePolledToSuccess() throws Exception {
    String base = geoserver();
    HttpResponse<String> r = post(base, "segment-async.xml");
    assertEquals(200, r.statusCode(), r.body());
    Matcher status = Pattern.compile("statusLocation=\"([^\"]+)\"").matcher(r.body());
    assertTrue(status.find(), r.body());
    String location = status.group(1).replace("&amp;", "&");
    long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
    String body = r.body();
    while (!body.contains("ProcessSucceeded")
        && !body.contains("ProcessFailed")
        && System.nanoTime() < deadline) {
      Thread.sleep(2000);
      body = send(HttpRequest.newBuilder(URI.create(location))).body();
    }
    assertTrue(body.contains("ProcessSucceeded"), body);
  }

  @Test
  void liveChainedImportPublishesAWfsLayer() throws Exception {
    String base = geoserver();
    HttpResponse<String> r = post(base, "segment-import-layer.xml");
    assertEquals(200, r.statusCode(), r.body());
    assertFalse(r.body().contains("ExceptionReport"), r.body());
    String layer = r.body().trim();
    assertTrue(layer.startsWith("diffris:port_storage_tanks"), layer);
    HttpResponse<String> wfs =
        send(
            HttpRequest.newBuilder(
                URI.create(
                    base
                        + "/wfs?service=WFS"
                        + "&version=2.0.0&request=GetFeature&typeNames="
                        + layer
                        + "&outputFormat=application/json"
                        + "&count=1")));
    assertEquals(200, wfs.statusCode(), wfs.body());
    assertTrue(wfs.body().contains("\"FeatureCollection\""), wfs.body());
  }
}
