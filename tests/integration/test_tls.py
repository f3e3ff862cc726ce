"""TLS to the ACS end to end (issue 11, item 1): lab-acs serves CWMP over HTTPS (libmicrohttpd
with GnuTLS) with certificates made at test time by openssl (no key is ever committed).

A good CA gives sessions; an unknown CA, a wrong host name, an expired certificate give no
session, a clear log line naming the reason, and retries; mutual TLS works with the client
certificate and fails cleanly without; Basic authentication is used only over HTTPS; TLS below
1.2 is refused. Connection requests stay plain HTTP with Digest (TR-069: the CPE's CR URL is
http), which the other tests cover.
"""
import os
import subprocess
import unittest

from harness import IntegrationTest, wait_for


def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


CA_CONF = """[ca]
default_ca = lab
[lab]
dir = {dir}
database = {dir}/index.txt
serial = {dir}/serial
new_certs_dir = {dir}
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
"""


class Pki:
    """A throw-away PKI in `dir`: a CA, server certificates (right host, wrong host, expired),
    another CA nobody trusts, and a client certificate from a client CA."""

    def __init__(self, dir):
        self.dir = dir
        os.makedirs(dir, exist_ok=True)
        for name in ("ca", "other-ca", "client-ca"):
            openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key",
                    "-out", name + ".pem", "-days", "2", "-subj", "/CN=Proxier test " + name,
                    cwd=dir)
        with open(os.path.join(dir, "index.txt"), "w"):
            pass
        with open(os.path.join(dir, "serial"), "w") as f:
            f.write("1000\n")
        with open(os.path.join(dir, "ca.cnf"), "w") as f:
            f.write(CA_CONF.format(dir=dir))
        self.issue("server", "ca", "IP:127.0.0.1,DNS:localhost")
        self.issue("wrong-host", "ca", "DNS:acs.wrong.example")
        self.issue("expired", "ca", "IP:127.0.0.1", start="20200101000000Z",
                   end="20200102000000Z")
        self.issue("client", "client-ca", "DNS:gateway.test", client=True)

    def issue(self, name, ca, san, start=None, end=None, client=False):
        d = self.dir
        ext = os.path.join(d, name + ".ext")
        with open(ext, "w") as f:
            f.write("subjectAltName=%s\nextendedKeyUsage=%s\n"
                    % (san, "clientAuth" if client else "serverAuth"))
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + name, cwd=d)
        args = ["ca", "-batch", "-config", "ca.cnf", "-cert", ca + ".pem", "-keyfile", ca + ".key",
                "-in", name + ".csr", "-out", name + ".pem", "-extfile", ext, "-notext"]
        args += ["-startdate", start, "-enddate", end] if start else ["-days", "2"]
        openssl(*args, cwd=d)

    def path(self, name):
        return os.path.join(self.dir, name)


class TlsTest(IntegrationTest):
    def setUp(self):
        super().setUp()
        self.pki = Pki(self.path("pki"))

    def https_acs(self, cert="server", client_ca=None, priorities=None, auth=()):
        args = ["--tls-cert", self.pki.path(cert + ".pem"), "--tls-key",
                self.pki.path(cert + ".key")]
        if client_ca:
            args += ["--tls-client-ca", self.pki.path(client_ca + ".pem")]
        if priorities:
            args += ["--tls-priorities", priorities]
        acs = self.start_acs(extra_args=args + list(auth))
        self.assertTrue(acs.cwmp_url.startswith("https://"), acs.cwmp_url)
        return acs

    def gateway(self, acs, ca="ca", client=False, **options):
        extra = 'ca_file = "%s"\n' % self.pki.path(ca + ".pem")
        if client:
            extra += 'client_cert = "%s"\nclient_key = "%s"\n' % (
                self.pki.path("client.pem"), self.pki.path("client.key"))
        return self.make_proxierd(acs, acs_extra=extra, **options).start()

    def assert_no_session(self, acs, px, reason):
        """No Inform reaches the ACS; proxierd says why (naming the reason) and retries."""
        wait_for(lambda: px.count_in_log("session failed") >= 2, timeout=20,
                 what="two failed attempts (retries)")
        self.assertEqual(acs.devices(), [])
        self.assertIn(reason, px.log())
        self.assertIn("next attempt in", px.log())

    def test_a_trusted_certificate_gives_sessions(self):
        acs = self.https_acs()
        px = self.gateway(acs)
        device = acs.wait(sessions_ended=0)
        self.assertEqual(device["informs"], 1)
        r = acs.run_ok({"name": "GetParameterValues", "names": ["Device.DeviceInfo.SerialNumber"]})
        self.assertEqual(r["values"][0][1], "IT0001")

    def test_an_unknown_ca_gives_no_session(self):
        acs = self.https_acs()
        px = self.gateway(acs, ca="other-ca")
        self.assert_no_session(acs, px, "unable to get local issuer certificate")

    def test_a_wrong_host_name_gives_no_session(self):
        acs = self.https_acs(cert="wrong-host")
        px = self.gateway(acs)
        self.assert_no_session(acs, px, "subject name matches target host name '127.0.0.1'")

    def test_an_expired_certificate_gives_no_session(self):
        acs = self.https_acs(cert="expired")
        px = self.gateway(acs)
        self.assert_no_session(acs, px, "certificate has expired")

    def test_mutual_tls_works_with_the_client_certificate_only(self):
        acs = self.https_acs(client_ca="client-ca")
        px = self.gateway(acs, client=True)
        acs.wait(sessions_ended=0)
        self.assertEqual(px.stop(), 0)
        acs2 = self.https_acs(client_ca="client-ca")
        px2 = self.make_proxierd(acs2, name="no-client-cert",
                                 acs_extra='ca_file = "%s"\n' % self.pki.path("ca.pem")).start()
        wait_for(lambda: px2.count_in_log("session failed") >= 1, timeout=20,
                 what="a failed attempt without a client certificate")
        self.assertEqual(acs2.devices(), [])

    def test_basic_authentication_only_over_https(self):
        auth = ["--auth", "basic", "--username", "gw", "--password", "Basic-Secret-1"]
        plain = self.start_acs(extra_args=auth)
        px = self.make_proxierd(plain, acs_username="gw", acs_password="Basic-Secret-1").start()
        wait_for(lambda: px.count_in_log("session failed") >= 1, timeout=20,
                 what="a refused session over http")
        self.assertEqual(plain.devices(), [])  # never authenticated: Basic is never sent in clear
        self.assertEqual(px.stop(), 0)
        secure = self.https_acs(auth=auth)
        px2 = self.make_proxierd(secure, name="over-https", acs_username="gw",
                                 acs_password="Basic-Secret-1",
                                 acs_extra='ca_file = "%s"\n' % self.pki.path("ca.pem")).start()
        secure.wait(sessions_ended=0)

    def test_tls_below_1_2_is_refused(self):
        acs = self.https_acs(priorities="NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0")
        px = self.gateway(acs)
        wait_for(lambda: px.count_in_log("session failed") >= 1, timeout=20,
                 what="a refused TLS 1.1 handshake")
        self.assertEqual(acs.devices(), [])
        self.assertIn("unsupported protocol", px.log())


if __name__ == "__main__":
    unittest.main()
