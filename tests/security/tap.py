"""The "ok - ..." / "not ok - ..." lines of the scanner's Python tests
(secrets_scan_plan_test.py, secrets_scan_proc_test.py), with their count of
failures."""


class Checks:
    def __init__(self):
        self.failures = 0

    def __call__(self, ok, what, detail=""):
        print("%s - %s%s" % ("ok" if ok else "not ok", what, "" if ok else ": " + detail))
        if not ok:
            self.failures += 1

    def exit_code(self):
        print("%d failed" % self.failures)
        return 1 if self.failures else 0
