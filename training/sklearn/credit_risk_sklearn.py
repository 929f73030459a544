#!/usr/bin/python3
"""The demo's second model, `credit-risk-sklearn`: the German Credit data as a scikit-learn pipeline,
exported in the exact layout skl2onnx writes, for users to see a model brought "as is".

    ColumnTransformer([("num", StandardScaler(), numeric), ("cat", OneHotEncoder(handle_unknown="ignore"), categorical)])
      -> LogisticRegression            (version 1: outputs output_label int64 [N] + ZipMap output_probability)
      -> GradientBoostingClassifier    (version 2: outputs output_label int64 [N] + output_probability float [N, 2],
                                        skl2onnx's options={"zipmap": False})

skl2onnx itself is not installable here (PyPI is unreachable, Debian does not package it), so this script
trains with Debian's scikit-learn (python3-sklearn 1.2.1) and writes the graph node by node with Debian's
onnx (python3-onnx 1.12) as skl2onnx's converters do: the same op types and domains (Scaler,
ArrayFeatureExtractor, OneHotEncoder, Concat, Reshape, LinearClassifier, Normalizer, ZipMap,
TreeEnsembleClassifier), the same input names and types (`numeric` float [None, 7], `categorical` string
[None, 13]), the same output names (`output_label`, `output_probability`), opsets ai.onnx 15 and ai.onnx.ml 1.
The producer is named for what wrote it, not skl2onnx.

Data and split are the training module's (gateway/src/test/resources/demo/credit-risk-test-set.csv: every
applicant, its split, category codes in the ARFF's declared order, which the demo's model.json lists). It
also writes scikit-learn's own predictions for all 1,000 applicants, which the gateway's tests hold the
served scores to (1e-5).

Run from the repository root (apt-get install python3-sklearn python3-onnx):

    /usr/bin/python3 training/sklearn/credit_risk_sklearn.py
"""
import csv
import json
import os
import shutil

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = os.getcwd()
DEMO = os.path.join(ROOT, "gateway/src/main/resources/demo/models")
OUT = os.path.join(DEMO, "credit-risk-sklearn")
PREDICTIONS = os.path.join(ROOT, "gateway/src/test/resources/demo/credit-risk-sklearn-predictions.csv")
ML = "ai.onnx.ml"
OPSETS = [helper.make_opsetid("", 15), helper.make_opsetid(ML, 1)]
PRODUCER = "scoring-gateway-training (skl2onnx's layout, written by training/sklearn/credit_risk_sklearn.py)"

with open(os.path.join(DEMO, "credit-risk/model.json")) as f:
    DEMO_CONFIG = json.load(f)
FEATURES = DEMO_CONFIG["features"]
NUMERIC = [f["name"] for f in FEATURES if f["type"] == "numeric"]
CATEGORICAL = [f["name"] for f in FEATURES if f["type"] == "categorical"]
CATEGORIES = {f["name"]: f["categories"] for f in FEATURES if f["type"] == "categorical"}


def read_rows():
    with open(os.path.join(ROOT, "gateway/src/test/resources/demo/credit-risk-test-set.csv")) as f:
        rows = list(csv.DictReader(f))
    ids = [r["applicant_id"] for r in rows]
    numeric = np.array([[float(r[n]) for n in NUMERIC] for r in rows], dtype=np.float32)
    categorical = np.array([[CATEGORIES[c][int(r[c])] for c in CATEGORICAL] for r in rows], dtype=object)
    label = np.array([int(r["label"]) for r in rows], dtype=np.int64)
    train = np.array([r["split"] == "train" for r in rows])
    return ids, numeric, categorical, label, train


def preprocessor():
    # numeric columns first, then categorical: the two inputs side by side, as skl2onnx sees them
    return ColumnTransformer([
        ("num", StandardScaler(), list(range(len(NUMERIC)))),
        ("cat", OneHotEncoder(categories=[CATEGORIES[c] for c in CATEGORICAL], handle_unknown="ignore"),
         list(range(len(NUMERIC), len(NUMERIC) + len(CATEGORICAL)))),
    ])


def column_transformer_nodes(pipe, nodes, inits):
    """skl2onnx's ColumnTransformer: Scaler on `numeric` (all its columns: no extraction), per categorical
    column ArrayFeatureExtractor + OneHotEncoder, Concat(axis=2) + Reshape, then Concat(axis=1)."""
    ct = pipe.named_steps["preprocessor"]
    scaler = ct.named_transformers_["num"]
    nodes.append(helper.make_node("Scaler", ["numeric"], ["variable"], name="Scaler", domain=ML,
                                  offset=scaler.mean_.astype(np.float32).tolist(),
                                  scale=(1.0 / scaler.scale_).astype(np.float32).tolist()))
    ohe = ct.named_transformers_["cat"]
    encoded = []
    for i, cats in enumerate(ohe.categories_):
        index = "index" if i == 0 else "index%d" % i
        inits.append(helper.make_tensor(index, TensorProto.INT64, [1], [i]))
        extracted = "extracted" if i == 0 else "extracted%d" % i
        out = "ohe_output" if i == 0 else "ohe_output%d" % i
        nodes.append(helper.make_node("ArrayFeatureExtractor", ["categorical", index], [extracted],
                                      name="ArrayFeatureExtractor" + ("" if i == 0 else str(i)), domain=ML))
        nodes.append(helper.make_node("OneHotEncoder", [extracted], [out],
                                      name="OneHotEncoder" + ("" if i == 0 else str(i)), domain=ML,
                                      cats_strings=[str(c) for c in cats], zeros=1))
        encoded.append(out)
    nodes.append(helper.make_node("Concat", encoded, ["concat_result"], name="Concat", axis=2))
    width = sum(len(c) for c in ohe.categories_)
    inits.append(helper.make_tensor("shape_tensor", TensorProto.INT64, [2], [-1, width]))
    nodes.append(helper.make_node("Reshape", ["concat_result", "shape_tensor"], ["variable1"], name="Reshape"))
    nodes.append(helper.make_node("Concat", ["variable", "variable1"], ["transformed_column"], name="Concat1", axis=1))
    return "transformed_column"


def graph(name, nodes, inits, zipmap):
    """The classifier wrote `output_label` and `probabilities` (with the ZipMap) or `output_probability`."""
    inputs = [helper.make_tensor_value_info("numeric", TensorProto.FLOAT, [None, len(NUMERIC)]),
              helper.make_tensor_value_info("categorical", TensorProto.STRING, [None, len(CATEGORICAL)])]
    label = helper.make_tensor_value_info("output_label", TensorProto.INT64, [None])
    if zipmap:
        nodes.append(helper.make_node("ZipMap", ["probabilities"], ["output_probability"], name="ZipMap", domain=ML,
                                      classlabels_int64s=[0, 1]))
        zipmap_type = onnx.TypeProto()  # sequence<map<int64, float>>, which onnx 1.12's helper cannot spell
        zipmap_type.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
        zipmap_type.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
        probability = helper.make_value_info("output_probability", zipmap_type)
    else:
        probability = helper.make_tensor_value_info("output_probability", TensorProto.FLOAT, [None, 2])
    g = helper.make_graph(nodes, name, inputs, [label, probability], initializer=inits)
    model = helper.make_model(g, opset_imports=OPSETS, producer_name=PRODUCER, producer_version="1",
                              ir_version=8, domain="ai.onnx")
    onnx.checker.check_model(model)
    return model


def logistic_regression_model(pipe):
    nodes, inits = [], []
    x = column_transformer_nodes(pipe, nodes, inits)
    lr = pipe.named_steps["classifier"]
    coef = lr.coef_.ravel().astype(np.float64)
    intercept = lr.intercept_.astype(np.float64)
    # skl2onnx's binary logistic regression: the two classes' rows (-w, w), LOGISTIC, then an L1 Normalizer
    nodes.append(helper.make_node("LinearClassifier", [x], ["output_label", "probability_tensor"], name="LinearClassifier",
                                  domain=ML, classlabels_ints=[0, 1],
                                  coefficients=np.concatenate([-coef, coef]).astype(np.float32).tolist(),
                                  intercepts=np.concatenate([-intercept, intercept]).astype(np.float32).tolist(),
                                  multi_class=0, post_transform="LOGISTIC"))
    nodes.append(helper.make_node("Normalizer", ["probability_tensor"], ["probabilities"], name="Normalizer",
                                  domain=ML, norm="L1"))
    return graph("pipeline_logistic_regression", nodes, inits, zipmap=True)


def gradient_boosting_model(pipe):
    nodes, inits = [], []
    x = column_transformer_nodes(pipe, nodes, inits)
    gb = pipe.named_steps["classifier"]
    attrs = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
                             "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
                             "nodes_hitrates", "class_treeids", "class_nodeids", "class_ids", "class_weights")}
    for t, estimator in enumerate(gb.estimators_[:, 0]):
        tree = estimator.tree_
        for n in range(tree.node_count):
            leaf = tree.children_left[n] == -1
            attrs["nodes_treeids"].append(t)
            attrs["nodes_nodeids"].append(n)
            attrs["nodes_featureids"].append(0 if leaf else int(tree.feature[n]))
            attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            attrs["nodes_values"].append(0.0 if leaf else float(tree.threshold[n]))
            attrs["nodes_truenodeids"].append(0 if leaf else int(tree.children_left[n]))
            attrs["nodes_falsenodeids"].append(0 if leaf else int(tree.children_right[n]))
            attrs["nodes_missing_value_tracks_true"].append(0)
            attrs["nodes_hitrates"].append(1.0)
            if leaf:
                attrs["class_treeids"].append(t)
                attrs["class_nodeids"].append(n)
                attrs["class_ids"].append(0)
                attrs["class_weights"].append(float(tree.value[n, 0, 0]) * gb.learning_rate)
    prior = gb.init_.class_prior_[1]
    nodes.append(helper.make_node("TreeEnsembleClassifier", [x], ["output_label", "output_probability"],
                                  name="GradientBoostingClassifier", domain=ML, classlabels_int64s=[0, 1],
                                  post_transform="LOGISTIC", base_values=[float(np.log(prior / (1 - prior)))],
                                  **attrs))
    return graph("pipeline_gradient_boosting", nodes, inits, zipmap=False)


def model_json():
    config = {
        "name": "credit-risk-sklearn",
        "description": "The German Credit data as a scikit-learn pipeline (StandardScaler + OneHotEncoder, then "
                       "LogisticRegression in version 1, GradientBoostingClassifier in version 2), exported as "
                       "skl2onnx writes it: a float input, a string input of category names, an int64 label and "
                       "the probabilities (a ZipMap in version 1, a [N, 2] tensor in version 2).",
        "entity_key": DEMO_CONFIG["entity_key"],
        "champion": "1",
        "inputs": [
            {"name": "numeric", "type": "float", "features": NUMERIC},
            {"name": "categorical", "type": "string", "features": CATEGORICAL},
        ],
        "features": FEATURES,
        "outputs": [
            {"name": "output_probability", "class": 1, "description": "P(class = bad)",
             "decision_threshold": DEMO_CONFIG["outputs"][0]["decision_threshold"]},
            {"name": "output_label", "description": "1 = bad, 0 = good, at scikit-learn's threshold of 0.5"},
        ],
    }
    with open(os.path.join(OUT, "model.json"), "w", newline="\n") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def main():
    ids, numeric, categorical, label, train = read_rows()
    x = np.concatenate([numeric.astype(object), categorical], axis=1)
    lr = Pipeline([("preprocessor", preprocessor()),
                   ("classifier", LogisticRegression(C=1.0, max_iter=5000, solver="lbfgs"))])
    lr.fit(x[train], label[train])
    gb = Pipeline([("preprocessor", preprocessor()),
                   ("classifier", GradientBoostingClassifier(n_estimators=100, max_depth=3, learning_rate=0.1,
                                                             random_state=42))])
    gb.fit(x[train], label[train])

    os.makedirs(os.path.join(OUT, "1"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "2"), exist_ok=True)
    onnx.save(logistic_regression_model(lr), os.path.join(OUT, "1/model.onnx"))
    onnx.save(gradient_boosting_model(gb), os.path.join(OUT, "2/model.onnx"))
    model_json()
    for version in ("1", "2"):
        # the same 700 training applicants and features as credit-risk: its drift reference holds for these too
        shutil.copyfile(os.path.join(DEMO, "credit-risk/1/reference-profile.json"),
                        os.path.join(OUT, version, "reference-profile.json"))

    p1, l1 = lr.predict_proba(x)[:, 1], lr.predict(x)
    p2, l2 = gb.predict_proba(x)[:, 1], gb.predict(x)
    with open(PREDICTIONS, "w", newline="\n") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "v1_probability", "v1_label", "v2_probability", "v2_label"])
        for i, applicant in enumerate(ids):
            w.writerow([applicant, repr(float(p1[i])), int(l1[i]), repr(float(p2[i])), int(l2[i])])
    test = ~train
    for name, p in (("v1 logistic regression", p1), ("v2 gradient boosting", p2)):
        accuracy = float(np.mean((p[test] >= 0.5) == label[test]))
        print("%s: test accuracy %.4f (300 applicants)" % (name, accuracy))


if __name__ == "__main__":
    main()
