"""The requests the GeoServer algorithm builds, against the project's ready requests
(sample-data/requests/), and the parsing of what a WPS answers. No server needed."""

import xml.etree.ElementTree as ET

import pytest

from conftest import PROJECT
from xml_shape import shape

REQUESTS = PROJECT / "sample-data" / "requests"
PORT = dict(
    identifier="diffris:port",
    crs="http://www.opengis.net/gml/srs/epsg.xml#32633",
    lower_corner="402000 5058744",
    upper_corner="402256 5059000",
)


@pytest.fixture
def wps(installed_plugin):
    """The installed plugin's wps package, its modules loaded (the tests reach them as attributes)."""
    import importlib

    from diffris_qgis import wps

    for module in ("execute_request", "execute_response", "coverages", "job", "process_parameters"):
        importlib.import_module(f"diffris_qgis.wps.{module}")
    return wps


def sample(name):
    return ET.parse(REQUESTS / name).getroot()


def test_publish_request_is_the_ready_import_request(wps):
    request = wps.execute_request
    built = request.import_request(
        request.PublishedCoverage(**PORT),
        [("query", "storage tanks"), ("minArea", "20")],
        "diffris",
        "results",
        "port_storage_tanks",
        asynchronous=False,
    )
    built = ET.fromstring(request.to_bytes(built))
    assert shape(built) == shape(sample("segment-import-layer.xml"))


def test_asynchronous_publish_differs_only_in_its_response_form(wps):
    request = wps.execute_request
    arguments = (
        request.PublishedCoverage(**PORT),
        [("query", "storage tanks")],
        "diffris",
        "results",
        "tanks",
    )
    synchronous = request.import_request(*arguments, asynchronous=False)
    asynchronous = request.import_request(*arguments, asynchronous=True)
    assert shape(synchronous.find("{*}DataInputs")) == shape(asynchronous.find("{*}DataInputs"))
    document = asynchronous.find("{*}ResponseForm/{*}ResponseDocument")
    assert document.get("storeExecuteResponse") == "true" and document.get("status") == "true"
    assert document.find("{*}Output/{*}Identifier").text == "layerName"


def test_asynchronous_segment_request_is_the_ready_one(wps):
    request = wps.execute_request
    built = request.segment_request(
        request.PublishedCoverage(**PORT),
        [("query", "ships"), ("simplify", "0.5")],
        asynchronous=True,
    )
    assert shape(ET.fromstring(request.to_bytes(built))) == shape(sample("segment-async.xml"))


def test_synchronous_segment_request_with_roi_is_the_ready_one(wps):
    request = wps.execute_request
    roi = (
        "POLYGON((402000 5058744, 402256 5058744, 402256 5059000, 402000 5059000, 402000 5058744))"
    )
    built = request.segment_request(
        request.PublishedCoverage(**PORT),
        [("query", "white storage tanks"), ("minArea", "20")],
        asynchronous=False,
        complexes=[("roi", "application/wkt", roi)],
    )
    assert shape(built) == shape(sample("segment-sync-geojson.xml"))


def test_an_upload_is_inline_base64_geotiff(wps, tmp_path):
    import base64

    raster = tmp_path / "r.tif"
    raster.write_bytes(b"II*\x00not really a tiff")
    request = wps.execute_request
    built = request.segment_request(
        request.UploadedRaster(raster), [("query", "ships")], asynchronous=False
    )
    data = built.find(".//{*}Input/{*}Data/{*}ComplexData")
    assert data.get("mimeType") == "image/tiff" and data.get("encoding") == "base64"
    assert base64.b64decode(data.text) == raster.read_bytes()


GEOSERVER_RUNNING = b"""<?xml version="1.0" encoding="UTF-8"?>
<wps:ExecuteResponse xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1"
  xmlns:xlink="http://www.w3.org/1999/xlink" service="WPS" version="1.0.0"
  serviceInstance="http://localhost:8080/geoserver/ows?"
  statusLocation="http://localhost:8080/geoserver/ows?service=WPS&amp;version=1.0.0&amp;request=GetExecutionStatus&amp;executionId=0f9c-42">
  <wps:Process wps:processVersion="1.0.0"><ows:Identifier>diffris:Segment</ows:Identifier></wps:Process>
  <wps:Status creationTime="2026-01-01T00:00:00.000Z"><wps:ProcessStarted percentCompleted="42">Running</wps:ProcessStarted></wps:Status>
</wps:ExecuteResponse>"""

GEOSERVER_FAILED = b"""<?xml version="1.0" encoding="UTF-8"?>
<wps:ExecuteResponse xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1" service="WPS" version="1.0.0">
  <wps:Status><wps:ProcessFailed><ows:ExceptionReport version="1.1.0">
    <ows:Exception exceptionCode="NoApplicableCode"><ows:ExceptionText>Process failed during execution
band 4 requested, the raster has 3 bands (numbered from 1)</ows:ExceptionText></ows:Exception>
  </ows:ExceptionReport></wps:ProcessFailed></wps:Status>
</wps:ExecuteResponse>"""


def test_status_documents_are_read(wps):
    # Hand-written in the shape of GeoServer's status documents (its statusLocation carries the executionId).
    parse_status = wps.execute_response.parse_status
    running = parse_status(GEOSERVER_RUNNING)
    assert (running.state, running.percent, running.finished) == ("started", 42.0, False)
    assert running.execution_id == "0f9c-42"
    failed = parse_status(GEOSERVER_FAILED)
    assert failed.state == "failed" and failed.finished
    assert (
        "band 4 requested, the raster has 3 bands" in failed.error
        and "NoApplicableCode" in failed.error
    )


def test_pywps_status_location_gives_the_file_name_as_job_id(wps):
    status = wps.execute_response.JobStatus(
        "started", 5, "", "http://127.0.0.1:9/outputs/1234-abcd.xml"
    )
    assert status.execution_id == "1234-abcd"


WCS_CAPABILITIES = b"""<?xml version="1.0" encoding="UTF-8"?>
<wcs:Capabilities xmlns:wcs="http://www.opengis.net/wcs/1.1.1" xmlns:ows="http://www.opengis.net/ows/1.1" version="1.1.1">
  <wcs:Contents>
    <wcs:CoverageSummary><ows:Title>port</ows:Title><ows:WGS84BoundingBox><ows:LowerCorner>13.7 45.6</ows:LowerCorner>
      <ows:UpperCorner>13.8 45.7</ows:UpperCorner></ows:WGS84BoundingBox><wcs:Identifier>diffris:port</wcs:Identifier></wcs:CoverageSummary>
    <wcs:CoverageSummary><ows:Title>town</ows:Title><wcs:Identifier>diffris:town</wcs:Identifier></wcs:CoverageSummary>
  </wcs:Contents>
</wcs:Capabilities>"""

WCS_DESCRIPTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<wcs:CoverageDescriptions xmlns:wcs="http://www.opengis.net/wcs/1.1.1" xmlns:ows="http://www.opengis.net/ows/1.1">
  <wcs:CoverageDescription><wcs:Identifier>diffris:port</wcs:Identifier><wcs:Domain><wcs:SpatialDomain>
    <ows:WGS84BoundingBox><ows:LowerCorner>13.7 45.6</ows:LowerCorner><ows:UpperCorner>13.8 45.7</ows:UpperCorner></ows:WGS84BoundingBox>
    <ows:BoundingBox crs="urn:ogc:def:crs:OGC::imageCRS"><ows:LowerCorner>0 0</ows:LowerCorner><ows:UpperCorner>1791 1791</ows:UpperCorner></ows:BoundingBox>
    <ows:BoundingBox crs="urn:ogc:def:crs:EPSG::32633"><ows:LowerCorner>402000.0 5058104.0</ows:LowerCorner><ows:UpperCorner>402896.0 5059000.0</ows:UpperCorner></ows:BoundingBox>
  </wcs:SpatialDomain></wcs:Domain></wcs:CoverageDescription>
</wcs:CoverageDescriptions>"""


def test_wcs_coverages_and_their_native_extent(wps):
    # Hand-written after the WCS 1.1.1 schema, as GeoServer lays it out; not captured from a server.
    coverages = wps.coverages
    assert coverages.parse_coverage_list(WCS_CAPABILITIES) == [
        ("diffris:port", "port"),
        ("diffris:town", "town"),
    ]
    extent = coverages.parse_coverage_extent(WCS_DESCRIPTION, "diffris:port")
    assert (extent.crs, extent.lower_corner, extent.upper_corner) == (
        "urn:ogc:def:crs:EPSG::32633",
        "402000.0 5058104.0",
        "402896.0 5059000.0",
    )


@pytest.mark.parametrize(
    "given, base",
    [
        ("http://localhost:8080/geoserver", "http://localhost:8080/geoserver"),
        ("http://localhost:8080/geoserver/", "http://localhost:8080/geoserver"),
        ("https://maps.example.org/geoserver/wps", "https://maps.example.org/geoserver"),
        (
            "http://localhost:8080/geoserver/ows?service=WPS&request=GetCapabilities",
            "http://localhost:8080/geoserver",
        ),
    ],
)
def test_geoserver_url_is_normalised(wps, given, base):
    assert wps.job.geoserver_base(given) == base


def test_a_url_that_is_not_one_is_refused(wps):
    with pytest.raises(wps.ows.ServerError, match="is not a GeoServer URL"):
        wps.job.geoserver_base("localhost:8080")


def test_literal_values_follow_the_description(wps):
    from qgis.core import QgsProcessingException

    InputDescription = wps.process_description.InputDescription
    wps_value = wps.process_parameters.wps_value
    threshold = InputDescription("threshold", "", "", True, True, "double", None, 0.0, 1.0)
    assert wps_value(threshold, None) is None
    assert wps_value(threshold, 0.4) == "0.4"
    with pytest.raises(
        QgsProcessingException, match="threshold is 1.5; the server accepts 0.0 to 1.0"
    ):
        wps_value(threshold, 1.5)
    min_area = InputDescription("minArea", "", "", True, True, "double", "0", 0.0, None)
    assert wps_value(min_area, 0) is None  # the server's default: nothing to send
    assert wps_value(min_area, 20) == "20" and wps_value(min_area, 20.5) == "20.5"
    most = InputDescription("maxFeatures", "", "", True, True, "integer", None, 1.0, None)
    assert wps_value(most, 3.0) == "3"
    with pytest.raises(QgsProcessingException, match="maxFeatures: '2.5' is not a whole number"):
        wps_value(most, 2.5)
    scale = InputDescription("scale", "", "", True, True, "string", "auto")
    assert wps_value(scale, "auto") is None and wps_value(scale, "bits:11") == "bits:11"


def test_the_published_layer_is_opened_through_qgis_wfs_provider(wps):
    from qgis.core import QgsDataSourceUri

    from diffris_qgis.wps.segment_wps import wfs_uri

    uri = QgsDataSourceUri(
        wfs_uri("http://localhost:8080/geoserver", "diffris:port_storage_tanks", "abc1234")
    )
    assert uri.param("url") == "http://localhost:8080/geoserver/wfs"
    assert uri.param("typename") == "diffris:port_storage_tanks"
    assert uri.authConfigId() == "abc1234"


GEOSERVER_DESCRIPTION = b"""<?xml version="1.0" encoding="UTF-8"?>
<wps:ProcessDescriptions xmlns:wps="http://www.opengis.net/wps/1.0.0" xmlns:ows="http://www.opengis.net/ows/1.1"
  xml:lang="en" service="WPS" version="1.0.0">
 <ProcessDescription wps:processVersion="1.0.0" statusSupported="true" storeSupported="true">
  <ows:Identifier>diffris:Segment</ows:Identifier><ows:Title>DiffRIS referring segmentation</ows:Title>
  <DataInputs>
   <Input maxOccurs="1" minOccurs="1"><ows:Identifier>coverage</ows:Identifier><ows:Title>coverage</ows:Title>
    <ows:Abstract>Raster to search.</ows:Abstract>
    <ComplexData><Default><Format><MimeType>image/tiff</MimeType></Format></Default>
     <Supported><Format><MimeType>image/tiff</MimeType></Format></Supported></ComplexData></Input>
   <Input maxOccurs="1" minOccurs="1"><ows:Identifier>query</ows:Identifier><ows:Title>query</ows:Title>
    <ows:Abstract>What to find, in English, e.g. 'white storage tanks'.</ows:Abstract>
    <LiteralData><ows:DataType>xs:string</ows:DataType><ows:AnyValue/></LiteralData></Input>
   <Input maxOccurs="1" minOccurs="0"><ows:Identifier>threshold</ows:Identifier><ows:Title>threshold</ows:Title>
    <ows:Abstract>Probability (0 to 1, exclusive) from which a pixel belongs to the objects. Default: the model's own threshold.</ows:Abstract>
    <LiteralData><ows:DataType>xs:double</ows:DataType><ows:AllowedValues><ows:Range>
     <ows:MinimumValue>0.0</ows:MinimumValue><ows:MaximumValue>1.0</ows:MaximumValue></ows:Range></ows:AllowedValues></LiteralData></Input>
   <Input maxOccurs="1" minOccurs="0"><ows:Identifier>roi</ows:Identifier><ows:Title>roi</ows:Title>
    <ows:Abstract>Region of interest.</ows:Abstract>
    <ComplexData><Default><Format><MimeType>text/xml; subtype=gml/3.1.1</MimeType></Format></Default>
     <Supported><Format><MimeType>application/wkt</MimeType></Format><Format><MimeType>application/json</MimeType></Format></Supported></ComplexData></Input>
   <Input maxOccurs="1" minOccurs="0"><ows:Identifier>minArea</ows:Identifier><ows:Title>minArea</ows:Title>
    <ows:Abstract>Smallest object kept, in square metres (geodesic for geographic CRSs). Default 0: keep all.</ows:Abstract>
    <LiteralData><ows:DataType>xs:double</ows:DataType><ows:AllowedValues><ows:Range>
     <ows:MinimumValue>0.0</ows:MinimumValue></ows:Range></ows:AllowedValues><DefaultValue>0</DefaultValue></LiteralData></Input>
   <Input maxOccurs="1" minOccurs="0"><ows:Identifier>maxFeatures</ows:Identifier><ows:Title>maxFeatures</ows:Title>
    <ows:Abstract>Most objects returned, the largest by area. Default: all.</ows:Abstract>
    <LiteralData><ows:DataType>xs:int</ows:DataType><ows:AllowedValues><ows:Range>
     <ows:MinimumValue>1</ows:MinimumValue></ows:Range></ows:AllowedValues></LiteralData></Input>
  </DataInputs>
  <ProcessOutputs><Output><ows:Identifier>result</ows:Identifier><ows:Title>result</ows:Title>
   <ComplexOutput><Default><Format><MimeType>text/xml; subtype=wfs-collection/1.0</MimeType></Format></Default></ComplexOutput></Output></ProcessOutputs>
 </ProcessDescription>
</wps:ProcessDescriptions>"""


def test_a_geoserver_shaped_description_becomes_the_form(wps):
    # Hand-written after GeoServer's WPS 1.0.0 DescribeProcess layout (titles are the names, the
    # parameter descriptions are the abstracts, xs: data types); not captured from a server.
    from diffris_qgis.wps import process_description, process_parameters

    description = process_description.parse_description(
        GEOSERVER_DESCRIPTION, "diffris:Segment", "here"
    )
    assert [i.identifier for i in description.inputs] == [
        "coverage",
        "query",
        "threshold",
        "roi",
        "minArea",
        "maxFeatures",
    ]
    assert description.outputs == ["result"]
    kinds = {i.identifier: i.kind for i in description.inputs}
    assert kinds == {
        "coverage": "complex",
        "query": "string",
        "threshold": "number-double",
        "roi": "complex",
        "minArea": "number-double",
        "maxFeatures": "number-integer",
    }
    threshold = process_parameters.to_parameter(description.input("threshold"))
    assert (threshold.minimum(), threshold.maximum(), threshold.defaultValue()) == (0.0, 1.0, None)
    assert (
        threshold.description()
        == "threshold: Probability (0 to 1, exclusive) from which a pixel belongs to the objects"
    )
    min_area = process_parameters.to_parameter(description.input("minArea"))
    assert (min_area.minimum(), min_area.defaultValue()) == (0.0, 0.0)
    max_features = process_parameters.to_parameter(description.input("maxFeatures"))
    assert max_features.dataType() == max_features.Integer and max_features.minimum() == 1.0
    assert process_parameters.to_parameter(description.input("roi")).type() == "geometry"
    assert not process_parameters.offered(description.input("coverage"))


def test_an_exception_report_for_describe_process_says_the_process_is_missing(wps):
    from diffris_qgis.wps import ows, process_description

    report = b"""<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows/1.1" version="1.1.0">
      <ows:Exception exceptionCode="InvalidParameterValue" locator="identifier">
      <ows:ExceptionText>No such process: diffris:Segment</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"""
    with pytest.raises(
        ows.ServerError,
        match="The process diffris:Segment is not installed on http://x/geoserver .*No such process",
    ):
        process_description.parse_description(report, "diffris:Segment", "http://x/geoserver")
