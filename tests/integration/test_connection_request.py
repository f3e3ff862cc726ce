"""Connection requests to proxierd: Digest authentication, the resulting session, rate limit."""
import threading
import unittest
import urllib.error
import urllib.request

from harness import CR_PASSWORD, CR_USER, GATEWAY_ID, IntegrationTest, event_codes

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

    def test_flood_during_a_session_is_folded_into_it(self):
        acs, px, _ = self.bootstrap(rate_limit=3, rate_window=60)
        # The lab holds the InformResponse for a second, so every request of the flood arrives
        # while the session it started is open: each is answered 200 and they all end in it.
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
        # 200, or (rarely) 401 stale=true when nonces crossed; never 503 while a session is open.
        self.assertEqual(statuses.count(200) + statuses.count(401), 20, statuses)
        self.assertGreater(statuses.count(200), 0, statuses)
        acs.wait(informs=1, sessions_ended=1)
        self.assertTrue(acs.no_inform_after(2, within=2.0), "more than one session after the flood")
        self.assertEqual([event_codes(i) for i in acs.informs()[1:]], [["6 CONNECTION REQUEST"]])

    def test_flood_without_a_session_is_throttled(self):
        acs, px, _ = self.bootstrap(rate_limit=3, rate_window=60)
        statuses = []
        for _ in range(5):
            acs.wait_idle()
            statuses.append(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD))
            if statuses[-1] == 200:
                acs.wait(sessions_ended=acs.device()["sessions_ended"] - 1)
        self.assertEqual(statuses[:3], [200, 200, 200], statuses)
        self.assertIn(503, statuses[3:], statuses)
        self.assertIn("refused: 503, over the rate limit", px.log())

    def test_tasks_with_connection_requests_in_a_row_all_run(self):
        # GenieACS style: an operator queues tasks one after another, each with its connection
        # request, without waiting for the device. The default limit lets them all through.
        acs, px, _ = self.bootstrap(rate_limit=30, rate_window=60)
        acs.wait_idle()
        ids = []
        for i in range(12):
            path = "/devices/%s/tasks?connection_request=1" % GATEWAY_ID
            status, body = acs.call("POST", path, {"name": "GetParameterValues",
                                                   "names": [MS + "PeriodicInformInterval"]})
            self.assertEqual(status, 200, body)
            self.assertEqual(body["connection_request"].get("status"), 200, body)
            ids.append(body["id"])
        for task_id in ids:
            self.assertEqual(acs.result(task_id)["state"], "done")
        self.assertNotIn("over the rate limit", px.log())

    def test_wrong_credentials_are_logged_with_the_source(self):
        acs, px, _ = self.bootstrap()
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, "wrong-password"), 401)
        self.assertIn("connection request from 127.0.0.1 refused: 401, wrong credentials",
                      px.log())

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

    def test_http_connection_requests_can_be_disabled_by_the_acs(self):
        acs, px, _ = self.bootstrap()
        url_param = MS + "ConnectionRequestURL"
        informs = acs.device()["informs"]
        acs.run_ok({"name": "SetParameterValues",
                    "values": [[MS + "HTTPConnectionRequestEnable", "false", "xsd:boolean"]]})
        # TR-181: disabled, ConnectionRequestURL is empty (an active-notification change, so a
        # 4 VALUE CHANGE session tells the ACS) and no request is accepted.
        device = acs.wait(informs=informs + 1)
        self.assertIn("4 VALUE CHANGE", event_codes(device["last_inform"]))
        self.assertEqual(device["last_inform"]["params"][url_param], "")
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 503)
        self.assertTrue(acs.no_inform_after(device["informs"], within=1.0))
        self.assertIn("HTTPConnectionRequestEnable false", px.log())
        # The setting is stored: still disabled after a restart.
        self.assertEqual(px.stop(), 0)
        task = acs.queue({"name": "SetParameterValues",
                          "values": [[MS + "HTTPConnectionRequestEnable", "true", "xsd:boolean"]]})
        before = device["informs"]
        px.start()
        self.assertEqual(acs.result(task)["state"], "done")
        # Enabled again (in that boot session): the URL is back (a value change session follows)
        # and a request starts a session.
        acs.wait(informs=before + 1)
        boot, change = acs.informs()[before:before + 2]
        self.assertEqual(event_codes(boot), ["1 BOOT"])
        self.assertEqual(boot["params"][url_param], "")
        self.assertIn("4 VALUE CHANGE", event_codes(change))
        self.assertEqual(change["params"][url_param], px.cr_url)
        acs.wait_idle()
        sessions = acs.device()["sessions_ended"]
        self.assertEqual(acs.connection_request(px.cr_url, CR_USER, CR_PASSWORD), 200)
        device = acs.wait(sessions_ended=sessions)
        self.assertEqual(event_codes(device["last_inform"]), ["6 CONNECTION REQUEST"])

if __name__ == "__main__":
    unittest.main()
