#!/usr/bin/env python3
"""Segments, domain-classifier drift and the evaluation history on the running demo (README, "Monitoring").

Sends the demo's 300 held-out applicants (gateway/src/test/resources/demo/credit-risk-test-set.csv) to a
gateway started with, e.g.

    java -jar gateway/target/scoring-gateway.jar --sampling-percent 100 --drift-window-rows 300 \
         --domain-drift-evaluate-ms 2000 --evaluation-interval-ms 2000

posts each one's label as feedback, and prints the segment report and the drift window's domain classifier;
then sends the same applicants with their credit_amount values shuffled among them (every marginal
unchanged, the correlation with duration broken) and prints the domain classifier again; then the history
of its AUC. Python 3 standard library only.

    python3 scripts/evaluation_demo.py [http://localhost:8080] [http://localhost:8082]
"""
import csv
import json
import random
import sys
import time
import urllib.request

HTTP = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8080"
ADMIN = sys.argv[2] if len(sys.argv) > 2 else "http://localhost:8082"
MODEL = "gateway/src/main/resources/demo/models/credit-risk/model.json"
TEST_SET = "gateway/src/test/resources/demo/credit-risk-test-set.csv"


def call(url, body=None):
    request = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def send(applicants, features, prefix):
    for i, (applicant, values, label) in enumerate(applicants):
        row = {}
        for name, spec in features.items():
            if spec["source"] == "request":
                value = values[name]
                row[name] = spec["categories"][int(value)] if spec["type"] == "categorical" else value
        call(HTTP + "/v1/predict", {"model": "credit-risk", "request_id": f"{prefix}-{i}",
                                    "rows": [{"entity_key": applicant, "features": row}]})
    time.sleep(0.5)  # a prediction is remembered just after its answer is written
    for i, (_, _, label) in enumerate(applicants):
        call(HTTP + "/v1/feedback", {"request_id": f"{prefix}-{i}", "label": label})


def domain():
    time.sleep(6)  # the next domain-classifier run over the refilled window
    version = call(ADMIN + "/admin/models/credit-risk/drift")["versions"][0]
    result = version.get("domain_classifier", {})
    result["importances"] = result.get("importances", [])[:3]
    univariate = [f["feature"] for f in version["features"] if f["alarm"]]
    return {"univariate_alarms": univariate, "domain_classifier": result}


def main():
    features = {f["name"]: f for f in json.load(open(MODEL))["features"]}
    with open(TEST_SET) as f:
        rows = [r for r in csv.DictReader(f) if r["split"] == "test"]
    applicants = [(r["applicant_id"], {n: float(r[n]) for n in features}, int(r["label"])) for r in rows]

    send(applicants, features, "clean")
    segments = call(ADMIN + "/admin/models/credit-risk/segments")["versions"][0]["segments"]
    for segment in segments:
        for group in segment["groups"]:
            del group["score_bins"]
    print("segments:", json.dumps(segments, indent=1))
    print("unshifted:", json.dumps(domain(), indent=1))

    amounts = [values["credit_amount"] for _, values, _ in applicants]
    random.Random(1).shuffle(amounts)
    shifted = [(a, dict(values, credit_amount=amount), label)
               for (a, values, label), amount in zip(applicants, amounts)]
    send(shifted, features, "shifted")
    print("credit_amount shuffled:", json.dumps(domain(), indent=1))
    print("history:", json.dumps(call(ADMIN + "/admin/models/credit-risk/history?metric=domain.auc&version=1"), indent=1))


if __name__ == "__main__":
    main()
