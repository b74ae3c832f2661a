"""The test WPS server's asynchronous jobs reach an end while its other threads write its log.

PyWPS forks each asynchronous job; forked from this threaded server while another thread held the
log file's lock, a job never left "accepted", and the plugin test polling it never ended (a CI run
lost its whole time limit so). Here a thread writes the log without pause while a job runs: a
forked job would wait for that lock forever. No QGIS: the server's WSGI application in this process.
"""

from __future__ import annotations

import base64
import logging
import re
import threading

from conftest import wait_for
from werkzeug.test import Client

from wps_server.server import TestServer as WpsServerApp

EXECUTE = """<?xml version="1.0" encoding="UTF-8"?>
<wps:Execute service="WPS" version="1.0.0" xmlns:wps="http://www.opengis.net/wps/1.0.0"
    xmlns:ows="http://www.opengis.net/ows/1.1">
  <ows:Identifier>diffris:Segment</ows:Identifier>
  <wps:DataInputs>
    <wps:Input><ows:Identifier>coverage</ows:Identifier>
      <wps:Data><wps:ComplexData mimeType="image/tiff" encoding="base64">{coverage}</wps:ComplexData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>query</ows:Identifier>
      <wps:Data><wps:LiteralData>ships</wps:LiteralData></wps:Data></wps:Input>
    <wps:Input><ows:Identifier>roi</ows:Identifier>
      <wps:Data><wps:ComplexData mimeType="application/wkt">POINT (1 2)</wps:ComplexData></wps:Data></wps:Input>
  </wps:DataInputs>
  <wps:ResponseForm>
    <wps:ResponseDocument storeExecuteResponse="true" status="true">
      <wps:Output><ows:Identifier>result</ows:Identifier></wps:Output>
    </wps:ResponseDocument>
  </wps:ResponseForm>
</wps:Execute>"""


def test_an_asynchronous_job_ends_while_another_thread_writes_the_log(tmp_path):
    server = WpsServerApp(tmp_path, ["false"])  # the job below fails before any command line runs
    server.start(port=9)  # only the URLs written into the status documents use the port
    client = Client(server)
    log = logging.getLogger("PYWPS")
    assert log.handlers, "PyWPS did not open its log file"

    writing = threading.Event()
    stop = threading.Event()

    def write_the_log():
        while not stop.is_set():
            log.warning("another request's line " + "x" * 200)
            writing.set()

    writer = threading.Thread(target=write_the_log, daemon=True)
    writer.start()
    try:
        writing.wait()
        # roi makes this server's job fail at its first step: an end without any command line.
        body = EXECUTE.format(coverage=base64.b64encode(b"not read").decode())
        answer = client.post("/geoserver/wps", data=body, content_type="text/xml")
        accepted = answer.get_data()
        assert answer.status_code == 200, accepted[:500]
        location = re.search(rb'statusLocation="[^"]*/outputs/([^"/]+\.xml)"', accepted)
        assert location, accepted[:500]
        status = tmp_path / "outputs" / location.group(1).decode()
        # A state, not a duration: the bound only turns a job that never ends into a failure.
        wait_for(
            lambda: status.is_file() and b"ProcessFailed" in status.read_bytes(),
            120,
            "the asynchronous job to end",
        )
        assert b"this test server does not support roi" in status.read_bytes()
    finally:
        stop.set()
        writer.join()
