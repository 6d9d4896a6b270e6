#!/usr/bin/env python3
"""OCRA peer for tests/tests/crosscheck.rs, built on the PyPI package `oath`
(python-oath 1.4.5; not the package named `ocra`).

Install:  python3 -m venv .venv && .venv/bin/pip install oath

Protocol: the first output line is {"hello": "oath <version>"}. Then every
input line is one JSON case

    {"id": 7, "suite": "OCRA-1:HOTP-SHA1-6:C-QN08", "key": "<hex>",
     "counter": 5 | null, "question": "...", "second_question": "..." | null,
     "pin": "<hex of the clear PIN>" | null, "session": "<hex>" | null,
     "timestamp": <time steps> | null}

and gets one JSON line back:

    {"id": 7, "response": "...", "t_step": <seconds> | null,
     "oath_t0": "..." | null, "padded": true | false}
    or {"id": 7, "error": "..."}

Work-arounds for limits of python-oath 1.4.5:
- Truncation 0: oath returns the 31-bit truncated value in decimal instead of
  the full HMAC (RFC 6287 section 5.2), so the response is the HMAC in hex,
  computed here with the standard library over the data input that oath
  assembles; oath's own decimal comes back as "oath_t0".
- Mutual mode: the concatenated question must go through `Qsc=` (`Q=` is
  limited to one question's length).
- The PIN is always passed in clear (`P_digest=` is broken) and the timestamp
  as `T_precomputed=` (already divided by the step).
- oath rejects an odd number of hex digits for QH. The RFC 6287 reference
  code (Appendix B) pads the question's hex string on the right with '0', so
  for such a question the digit is appended here ("padded": true).
"""

import hashlib
import hmac
import json
import sys


def fail(message):
    sys.stdout.write(json.dumps({"fatal": message}) + "\n")
    sys.stdout.flush()
    sys.exit(2)


try:
    import oath
    from importlib import metadata
except ImportError as exc:  # pragma: no cover - reported by the Rust test
    fail("cannot import the `oath` package (%s)" % exc)

if not hasattr(oath, "str2ocrasuite"):
    fail("the installed `oath` module has no str2ocrasuite (wrong package?)")


def respond(case):
    suite = oath.str2ocrasuite(case["suite"])
    key = bytes.fromhex(case["key"])
    kwargs = {}
    if case.get("counter") is not None:
        kwargs["C"] = int(case["counter"])

    question = case["question"] + (case.get("second_question") or "")
    padded = False
    if suite.data_input.Q and suite.data_input.Q[0] == "H" and len(question) % 2:
        question += "0"
        padded = True
    if case.get("second_question") is not None:
        kwargs["Qsc"] = question
    else:
        kwargs["Q"] = question

    if case.get("pin") is not None:
        kwargs["P"] = bytes.fromhex(case["pin"])
    if case.get("session") is not None:
        kwargs["S"] = bytes.fromhex(case["session"])
    if case.get("timestamp") is not None:
        kwargs["T_precomputed"] = int(case["timestamp"])

    oath_response = suite(key, **kwargs)
    out = {
        "id": case["id"],
        "padded": padded,
        "t_step": suite.data_input.T,
        "oath_t0": None,
    }
    if suite.crypto_function.truncation_length == 0:
        data = suite.ocrasuite_description.encode("ascii") + b"\0" + suite.data_input(**kwargs)
        out["response"] = hmac.new(key, data, suite.crypto_function.hash_algo).hexdigest()
        out["oath_t0"] = oath_response
    else:
        out["response"] = oath_response
    return out


def main():
    sys.stdout.write(json.dumps({"hello": "oath " + metadata.version("oath")}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        case = json.loads(line)
        try:
            out = respond(case)
        except Exception as exc:  # one bad case must not hide the others
            out = {"id": case.get("id"), "error": "%s: %s" % (type(exc).__name__, exc)}
        sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
