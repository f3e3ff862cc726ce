"""Connection requests to proxierd: Digest authentication, the resulting session, rate limit."""
import threading
import unittest
import urllib.error
import urllib.request

from harness import CR_PASSWORD, CR_USER, IntegrationTest, event_codes

MS = "Device.ManagementServer."


def raw_get(url):
    """(status, headers) of a plain GET without credentials."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


class ConnectionRequestTest(IntegrationTest):
    def test_without_credentials_is_401_with_a_digest_challenge(self):
        acs, px, _ = self.bootstrap()
        status, headers = raw_get(px.cr_url)
        self.assertEqual(status, 401)
        challenge = headers.get("WWW-Authenticate", "")
        self.assertTrue(challenge.startswith("Digest "), challenge)
        self.assertIn('qop="auth"', challenge)
        self.assertIn("algorithm=md5", challenge.lower())
        self.assertEqual(acs.connection_request(px.cr_url, "", ""), 401)
        self.assertTrue(acs.no_inform_after(1, within=1.0))

    def test_wrong_credentials_are_401_and_start_no_session(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, "wrong-password"), 401)
        self.assertEqual(acs.connection_request(px.cr_url, "someone-else", CR_PASSWORD), 401)
        self.assertTrue(acs.no_inform_after(1, within=1.0))

    def test_unknown_path_is_404(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(acs.connection_request(px.cr_url + "/other", CR_USER, CR_PASSWORD), 404)

    def test_right_credentials_are_200_and_start_a_connection_request_session(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
        device = acs.wait(informs=1, sessions_ended=1)
        self.assertEqual(event_codes(device["last_inform"]), ["6 CONNECTION REQUEST"])
        self.assertEqual(device["informs"], 2)

    def test_flood_is_throttled_with_503_and_gives_one_session(self):
        acs, px, _ = self.bootstrap(rate_limit=3, rate_window=60)
        # The lab holds the InformResponse for a second, so every accepted request of the flood
        # arrives before the session's Inform is answered: they must all end in that one session.
        acs.config(inform_delay_ms=1000)
        statuses = []
        lock = threading.Lock()

        def one():
            s = acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD)
            with lock:
                statuses.append(s)

        threads = [threading.Thread(target=one) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        acs.config(inform_delay_ms=0)
        self.assertEqual(len(statuses), 20)
        # At most rate_limit accepted, the excess 503. (libmicrohttpd 0.9.x hands out one Digest
        # nonce per second: of concurrent requests sharing it, the later ones get a 401 with
        # stale=true, which a client answers by retrying.)
        accepted, throttled = statuses.count(200), statuses.count(503)
        self.assertTrue(1 <= accepted <= 3, statuses)
        self.assertGreaterEqual(throttled, 20 - 3 - statuses.count(401), statuses)
        self.assertGreater(throttled, 0, statuses)
        self.assertEqual(accepted + throttled + statuses.count(401), 20, statuses)
        self.assertEqual(px.count_in_log("answered 503"), throttled)
        acs.wait(informs=1, sessions_ended=1)
        self.assertTrue(acs.no_inform_after(2, within=2.0), "more than one session after the flood")
        informs = acs.informs()
        self.assertEqual([event_codes(i) for i in informs[1:]], [["6 CONNECTION REQUEST"]])
        # Still throttled inside the window.
        if accepted == 3:
            self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 503)

    def test_credentials_changed_by_the_acs_take_effect(self):
        acs, px, _ = self.bootstrap()
        acs.run_ok({"name": "SetParameterValues",
                    "values": [[MS + "ConnectionRequestUsername", "newuser"],
                               [MS + "ConnectionRequestPassword", "New-Secret-99"]]})
        sessions = acs.device()["sessions_ended"]
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 401)
        self.assertEqual(acs.connection_request(px.cr_url, "newuser", "New-Secret-99"), 200)
        device = acs.wait(sessions_ended=sessions)
        self.assertEqual(event_codes(device["last_inform"]), ["6 CONNECTION REQUEST"])
        # And they survive a restart.
        self.assertEqual(px.stop(), 0)
        px.start()
        acs.wait(informs=device["informs"])
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 401)
        self.assertEqual(acs.connection_request(px.cr_url, "newuser", "New-Secret-99"), 200)


if __name__ == "__main__":
    unittest.main()
