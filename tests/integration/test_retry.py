"""Failed sessions: retries inside the back-off windows of TR-069 3.2.1.1, RetryCount, reset.

Retry n waits between m * (k/1000)^(n-1) and m * (k/1000)^n seconds, m =
CWMPRetryMinimumWaitInterval, k = CWMPRetryIntervalMultiplier. The tests use m = 1 s, k = 2000
(first-boot values from the [acs] section): 1-2 s, then 2-4 s.
"""
import re
import unittest

from harness import IntegrationTest, event_codes, free_port, parse_time, wait_for

M, K = 1.0, 2.0
SLACK = 0.6  # scheduling and HTTP time on a busy machine, above the window only


def window(n):
    return M * K ** (n - 1), M * K ** n


class RetryTest(IntegrationTest):
    def assert_gap_in_window(self, gap, n):
        low, high = window(n)
        self.assertTrue(low - 0.05 <= gap <= high + SLACK,
                        "retry %d came after %.3fs, window [%g, %g]" % (n, gap, low, high))

    def test_http_500_is_retried_inside_the_windows_with_retry_count(self):
        acs = self.start_acs()
        acs.config(fail_informs=2)
        px = self.make_proxierd(acs).start()
        device = acs.wait(sessions_ended=0, timeout=30)
        informs = acs.informs()
        self.assertEqual([i["outcome"] for i in informs], ["http_500", "http_500", "answered"])
        self.assertEqual([i["retry_count"] for i in informs], [0, 1, 2])
        for i in informs:
            self.assertEqual(event_codes(i), ["0 BOOTSTRAP", "1 BOOT"])
        t = [parse_time(i["time"]) for i in informs]
        self.assert_gap_in_window(t[1] - t[0], 1)
        self.assert_gap_in_window(t[2] - t[1], 2)
        self.assertEqual(device["sessions_ended"], 1)

    def test_retry_count_is_reset_after_a_successful_session(self):
        acs = self.start_acs()
        acs.config(fail_informs=1)
        px = self.make_proxierd(acs).start()
        device = acs.wait(sessions_ended=0, timeout=30)
        self.assertEqual(device["last_inform"]["retry_count"], 1)
        acs.run_ok({"name": "GetRPCMethods"})
        last = acs.informs()[-1]
        self.assertEqual(event_codes(last), ["6 CONNECTION REQUEST"])
        self.assertEqual(last["retry_count"], 0)

    def test_dropped_connection_is_retried(self):
        acs = self.start_acs()
        acs.config(drop_next_inform=True)
        px = self.make_proxierd(acs).start()
        acs.wait(sessions_ended=0, timeout=30)
        informs = acs.informs()
        self.assertEqual([i["outcome"] for i in informs], ["dropped", "answered"])
        self.assertEqual([i["retry_count"] for i in informs], [0, 1])
        self.assertEqual(event_codes(informs[1]), ["0 BOOTSTRAP", "1 BOOT"])
        self.assert_gap_in_window(parse_time(informs[1]["time"]) - parse_time(informs[0]["time"]), 1)

    def test_unreachable_acs_is_retried_until_it_answers(self):
        # Nothing listens on the ACS port at first (connection refused).
        port = free_port()
        acs_url = "http://127.0.0.1:%d/" % port

        class Placeholder:
            cwmp_url = acs_url

        px = self.make_proxierd(Placeholder).start()
        failed = re.compile(r"session failed \(.*\), retry (\d+)\n.*next attempt in (\d+) ms")
        wait_for(lambda: failed.search(px.log()), timeout=15, what="a failed attempt in the log")
        acs = self.start_acs(cwmp_port=port)
        device = acs.wait(sessions_ended=0, timeout=30)
        inform = acs.informs()[0]
        self.assertEqual(event_codes(inform), ["0 BOOTSTRAP", "1 BOOT"])
        attempts = failed.findall(px.log())
        self.assertEqual(inform["retry_count"], len(attempts))
        for retry, delay_ms in attempts:
            low, high = window(int(retry))
            self.assertTrue(low * 1000 <= int(delay_ms) <= high * 1000,
                            "retry %s scheduled in %s ms" % (retry, delay_ms))
        self.assertEqual(device["sessions_ended"], 1)


if __name__ == "__main__":
    unittest.main()
