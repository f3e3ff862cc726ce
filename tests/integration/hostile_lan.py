"""A hostile and quirky LAN for proxierd's tests and benchmarks (issue 10).

Everything here speaks the wire protocols by hand, so that it can break them on purpose:

* ssdp_send(): raw SSDP datagrams (any bytes) to the SSDP group, from any 127/8 address;
* FakeDevice: a UPnP DM device (ConfigurationManagement:2) served by Python's http.server on
  its own 127/8 address, with misbehaviour profiles taken from what field devices and attackers
  do (see FakeDevice.PROFILES);
* http_request(): one raw HTTP exchange (forged GENA NOTIFYs).

Only for a private network namespace with lo up and the SSDP multicast route on lo (every
integration test of the proxy runs so: see CMakeLists.txt). Nothing here sleeps to synchronise.
"""
import html
import socket
import threading
import time
import urllib.parse
import uuid as uuidlib
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SSDP_GROUP = ("239.255.255.250", 1900)
CMS_TYPE = "urn:schemas-upnp-org:service:ConfigurationManagement:2"
CMS_NS = "urn:schemas-upnp-org:dm:cms"
DEVICE_TYPE = "urn:schemas-upnp-org:device:ManageableDevice:2"


# -- SSDP ------------------------------------------------------------------------------------
def ssdp_socket(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(src))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.bind((src, 0))
    return s


def ssdp_send(datagrams, src="127.0.0.2", sock=None, pace=0):
    """Sends each datagram (bytes) to 239.255.255.250:1900 from `src`. `pace`: datagrams per
    second (0 = as fast as the socket takes them)."""
    own = sock is None
    s = sock or ssdp_socket(src)
    try:
        start = time.monotonic()
        for i, d in enumerate(datagrams):
            if pace:
                delay = start + i / pace - time.monotonic()
                if delay > 0:
                    time.sleep(delay)  # pacing a sender, not synchronising a test
            try:
                s.sendto(d, SSDP_GROUP)
            except BlockingIOError:
                pass
    finally:
        if own:
            s.close()


def alive(usn, location, nt, max_age=1800, server=b"Linux/6 UPnP/1.1 hostile/1", boot_id=1):
    """An ssdp:alive NOTIFY (bytes; every field may already be bytes to carry anything)."""
    def b(v):
        return v if isinstance(v, bytes) else str(v).encode()
    return (b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=" +
            b(max_age) + b"\r\nLOCATION: " + b(location) + b"\r\nNT: " + b(nt) +
            b"\r\nNTS: ssdp:alive\r\nSERVER: " + b(server) + b"\r\nUSN: " + b(usn) +
            b"\r\nBOOTID.UPNP.ORG: " + b(boot_id) + b"\r\n\r\n")


def byebye(usn, nt):
    return ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: %s\r\nNTS: ssdp:byebye\r\n"
            "USN: %s\r\n\r\n" % (nt, usn)).encode()


def http_request(host, port, request, src=None, timeout=5):
    """Sends raw bytes, returns the status code of the answer (0 when there is none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        if src:
            s.bind((src, 0))
        s.connect((host, port))
        s.sendall(request)
        data = b""
        try:
            while b"\r\n" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            return 0
    parts = data.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def notify_request(callback, sid, seq, body):
    """A GENA NOTIFY for `callback` ("http://ip:port/path") as bytes."""
    u = urllib.parse.urlsplit(callback)
    body = body if isinstance(body, bytes) else body.encode()
    return (("NOTIFY %s HTTP/1.1\r\nHOST: %s\r\nCONTENT-TYPE: text/xml; charset=\"utf-8\"\r\n"
             "NT: upnp:event\r\nNTS: upnp:propchange\r\nSID: %s\r\nSEQ: %d\r\n"
             "CONTENT-LENGTH: %d\r\n\r\n") % (u.path, u.netloc, sid, seq, len(body))).encode() + body


def propertyset(**variables):
    props = "".join("<e:property><%s>%s</%s></e:property>" % (k, html.escape(v, quote=False), k)
                    for k, v in variables.items())
    return ('<?xml version="1.0"?><e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">%s'
            "</e:propertyset>" % props)


def configuration_update(version, changes):
    """A ConfigurationUpdate value: "version,time,<escaped ParameterValueList>"."""
    return "%d,2026-12-07T00:00:00Z,%s" % (version, parameter_value_list(changes))


def parameter_value_list(items):
    inner = "".join("<Parameter><ParameterPath>%s</ParameterPath><Value>%s</Value></Parameter>"
                    % (html.escape(p, quote=False), html.escape(v, quote=False)) for p, v in items)
    return '<cms:ParameterValueList xmlns:cms="%s">%s</cms:ParameterValueList>' % (CMS_NS, inner)


# -- a UPnP DM device --------------------------------------------------------------------------
class FakeDevice:
    """A UPnP DM device with only ConfigurationManagement:2, on `ip`:`port` (own thread).

    Profiles (any combination):
      "inline"        CMS documents answered with their root element in place of the argument
                      (a published third-party CMS:2 simulator and field devices do so)
      "extra"         every GetValues answer carries `extra` items nobody asked for
      "bad_names"     names that are no CWMP names in GetSupportedParameters and GetValues
      "bad_location"  GetSupportedDataModels lists /UPnP/../BBF/
      "no_metadata"   no GetSupportedParameters, GetAttributes, GetInstances (401)
      "slow"          every action answered after `delay` seconds
      "hang_subscribe" SUBSCRIBE answered after `delay` seconds
      "no_description" the description answers 404
    """
    PARAMS = {
        "/UPnP/DM/DeviceInfo/FriendlyName": ["Fake", "string", True],
        "/UPnP/DM/DeviceInfo/SoftwareVersion": ["9.9", "string", False],
        "/UPnP/DM/Config/Level": ["5", "ui4", True],
        "/UPnP/DM/Volume/1/Name": ["data", "string", True],
        "/UPnP/DM/Volume/2/Name": ["media", "string", True],
    }
    BAD_NAMES = ["/UPnP/DM/a b", "/UPnP/DM/Evil:Name", "/UPnP/DM/caf\u00e9", "/UPnP/DM/-x"]

    def __init__(self, ip, port=0, udn=None, profiles=(), friendly="Fake device", model_url="",
                 extra=0, delay=30.0, description_udn=None, serial="FAKE0001"):
        self.ip = ip
        self.udn = udn or str(uuidlib.uuid4())
        self.description_udn = description_udn or "uuid:" + self.udn
        self.profiles = set(profiles)
        self.friendly = friendly
        self.model_url = model_url
        self.serial = serial
        self.extra = extra
        self.delay = delay
        self.params = {k: list(v) for k, v in self.PARAMS.items()}
        self.subscriptions = []  # (callback URL, SID)
        self.actions = []        # names of the actions asked
        self.lock = threading.Lock()
        self.released = threading.Event()  # set to let a held request go
        device = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, status, body=b"", headers=()):
                body = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/desc.xml" and "no_description" not in device.profiles:
                    return self.reply(200, device.description(),
                                      [("Content-Type", 'text/xml; charset="utf-8"')])
                self.reply(404)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                action = (self.headers.get("SOAPACTION", "").strip('"').split("#") + [""])[1]
                with device.lock:
                    device.actions.append(action)
                if "slow" in device.profiles:
                    device.released.wait(device.delay)
                status, out = device.action(action, body)
                self.reply(status, out, [("Content-Type", 'text/xml; charset="utf-8"')])

            def do_SUBSCRIBE(self):
                if "hang_subscribe" in device.profiles:
                    device.released.wait(device.delay)
                sid = self.headers.get("SID")
                if not sid:
                    sid = "uuid:" + str(uuidlib.uuid4())
                    callback = self.headers.get("CALLBACK", "").strip("<>")
                    with device.lock:
                        device.subscriptions.append((callback, sid))
                self.reply(200, b"", [("SID", sid), ("TIMEOUT", "Second-1800")])

            def do_UNSUBSCRIBE(self):
                self.reply(200)

        self.server = ThreadingHTTPServer((ip, port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.location = "http://%s:%d/desc.xml" % (ip, self.port)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    # -- SSDP ----------------------------------------------------------------------------------
    def announcements(self, max_age=1800, services_only=False):
        cms = "uuid:%s::%s" % (self.udn, CMS_TYPE)
        out = [alive(cms, self.location, CMS_TYPE, max_age)]
        if not services_only:
            out += [alive("uuid:%s::upnp:rootdevice" % self.udn, self.location, "upnp:rootdevice",
                          max_age),
                    alive("uuid:" + self.udn, self.location, "uuid:" + self.udn, max_age),
                    alive("uuid:%s::%s" % (self.udn, DEVICE_TYPE), self.location, DEVICE_TYPE,
                          max_age)]
        return out

    def announce(self, services_only=False):
        ssdp_send(self.announcements(services_only=services_only), src=self.ip)

    def bye(self):
        ssdp_send([byebye("uuid:%s::upnp:rootdevice" % self.udn, "upnp:rootdevice")], src=self.ip)

    # -- GENA ----------------------------------------------------------------------------------
    def notify(self, seq, src=None, body=None, **variables):
        """Sends a NOTIFY to every subscriber (from `src`, default the device's address)."""
        with self.lock:
            subs = list(self.subscriptions)
        codes = []
        for callback, sid in subs:
            u = urllib.parse.urlsplit(callback)
            req = notify_request(callback, sid, seq, body if body is not None
                                 else propertyset(**variables))
            codes.append(http_request(u.hostname, u.port, req, src=src or self.ip))
        return codes

    # -- description and actions ---------------------------------------------------------------
    def description(self):
        url = "<modelURL>%s</modelURL>" % html.escape(self.model_url) if self.model_url else ""
        return ('<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion>'
                "<major>1</major><minor>1</minor></specVersion><device><deviceType>%s</deviceType>"
                "<friendlyName>%s</friendlyName><manufacturer>Hostile</manufacturer>"
                "<modelName>FakeDM</modelName>%s<serialNumber>%s</serialNumber><UDN>%s</UDN>"
                "<serviceList><service><serviceType>%s</serviceType><serviceId>urn:upnp-org:"
                "serviceId:ConfigurationManagement</serviceId><SCPDURL>/cms.xml</SCPDURL>"
                "<controlURL>/cms</controlURL><eventSubURL>/cms/event</eventSubURL></service>"
                "</serviceList></device></root>"
                % (DEVICE_TYPE, html.escape(self.friendly), url, self.serial,
                   self.description_udn, CMS_TYPE))

    def action(self, name, body):
        try:
            root = ET.fromstring(body)
            call = root[0][0]
            args = {c.tag.split("}")[-1]: (c.text or "") for c in call}
        except (ET.ParseError, IndexError):
            return 500, self.fault(402, "Invalid Args")
        if "no_metadata" in self.profiles and name in (
                "GetSupportedParameters", "GetAttributes", "GetInstances"):
            return 500, self.fault(401, "Invalid Action")
        handler = getattr(self, "a_" + name, None)
        if not handler:
            return 500, self.fault(401, "Invalid Action")
        return handler(args)

    def fault(self, code, text):
        return ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>'
                "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
                '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode>'
                "<errorDescription>%s</errorDescription></UPnPError></detail></s:Fault></s:Body>"
                "</s:Envelope>" % (code, html.escape(text)))

    def answer(self, action, arg, document):
        """A response carrying a CMS document: escaped in `arg`, or its root inline."""
        if "inline" in self.profiles:
            inner = document
        else:
            inner = "<%s>%s</%s>" % (arg, html.escape(document, quote=False), arg)
        return 200, ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                     '<u:%sResponse xmlns:u="%s">%s</u:%sResponse></s:Body></s:Envelope>'
                     % (action, CMS_TYPE, inner, action))

    def plain(self, action, **out):
        args = "".join("<%s>%s</%s>" % (k, html.escape(v), k) for k, v in out.items())
        return 200, ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
                     '<u:%sResponse xmlns:u="%s">%s</u:%sResponse></s:Body></s:Envelope>'
                     % (action, CMS_TYPE, args, action))

    @staticmethod
    def paths_of(text, item):
        try:
            return [e.text.strip() for e in ET.fromstring(text).iter() if e.tag.endswith(item)]
        except ET.ParseError:
            return []

    def structure(self, path):
        return "/".join("#" if seg.isdigit() else seg for seg in path.split("/"))

    def a_GetSupportedDataModels(self, args):
        location = "/UPnP/../BBF/" if "bad_location" in self.profiles else "/UPnP/DM/"
        doc = ('<cms:SupportedDataModels xmlns:cms="%s"><SubTree><URI>urn:upnp-org:smgt-surn:base'
               "</URI><Location>%s</Location><URL></URL><Description>x</Description></SubTree>"
               "</cms:SupportedDataModels>" % (CMS_NS, location))
        return self.answer("GetSupportedDataModels", "SupportedDataModels", doc)

    def a_GetSupportedParameters(self, args):
        paths = sorted({self.structure(p) for p in self.params})
        if "bad_names" in self.profiles:
            paths += self.BAD_NAMES
        doc = '<cms:StructurePathList xmlns:cms="%s">%s</cms:StructurePathList>' % (
            CMS_NS, "".join("<StructurePath>%s</StructurePath>" % html.escape(p) for p in paths))
        return self.answer("GetSupportedParameters", "Result", doc)

    def a_GetInstances(self, args):
        node = args.get("StartingNode", "/")
        rows = sorted({p[:p.rfind("/", 0, p.rfind("/")) + 1] for p in self.params
                       if p.startswith(node) and any(s.isdigit() for s in p.split("/"))})
        doc = '<cms:InstancePathList xmlns:cms="%s">%s</cms:InstancePathList>' % (
            CMS_NS, "".join("<InstancePath>%s</InstancePath>" % r for r in rows))
        return self.answer("GetInstances", "Result", doc)

    def a_GetAttributes(self, args):
        asked = self.paths_of(args.get("Parameters", ""), "NodeAttributePath")
        nodes = ""
        for p, (v, t, w) in sorted(self.params.items()):
            if any(p.startswith(a) for a in asked):
                nodes += ("<Node><NodeAttributePath>%s</NodeAttributePath><Access>%s</Access>"
                          "<Type>%s</Type><EventOnChange>0</EventOnChange></Node>"
                          % (p, "readWrite" if w else "readOnly", t))
        doc = '<cms:NodeAttributeValueList xmlns:cms="%s">%s</cms:NodeAttributeValueList>' % (
            CMS_NS, nodes)
        return self.answer("GetAttributes", "NodeAttributeValueList", doc)

    def a_GetValues(self, args):
        asked = self.paths_of(args.get("Parameters", ""), "ContentPath")
        items = [(p, v) for p, (v, t, w) in sorted(self.params.items())
                 if any(p == a or (a.endswith("/") and p.startswith(a)) for a in asked)]
        items += [("/UPnP/DM/Unasked/Item%d" % i, "x" * 16) for i in range(self.extra)]
        if "bad_names" in self.profiles:
            items += [(p, "bad") for p in self.BAD_NAMES]
        return self.answer("GetValues", "ParameterValueList", parameter_value_list(items))

    def a_SetValues(self, args):
        text = args.get("ParameterValueList", "")
        try:
            doc = ET.fromstring(text)
        except ET.ParseError:
            return 500, self.fault(702, "Invalid XML Argument")
        for p in doc.iter():
            if p.tag.endswith("Parameter"):
                path = p.find("ParameterPath").text.strip()
                value = p.find("Value").text or ""
                if path not in self.params:
                    return 500, self.fault(703, "No Such Name")
                if not self.params[path][2]:
                    return 500, self.fault(706, "Read Only Violation")
                self.params[path][0] = value
        return self.plain("SetValues", Status="ChangesApplied")
