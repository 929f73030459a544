#!/usr/bin/python3
"""Test fixtures for the router: German Credit models in the exact graph layout each converter writes, with
the source library's own predictions for all 1,000 applicants where that library is in Debian.

    router/src/test/resources/converters/<fixture>/model.onnx      the graph
    router/src/test/resources/converters/<fixture>/model.json      the config that serves it
    router/src/test/resources/converters/<fixture>/predictions.csv applicant_id,score,label (label empty for
                                                                   regressors), from the library itself
    router/src/test/resources/converters/<fixture>/float32-scaler-differences.csv
        (skl2onnx tree pipelines only) the applicants whose graph score is not scikit-learn's, and why: the
        graph's Scaler computes (x - mean) * (1 / scale) in float32, scikit-learn in float64 before its trees
        round to float32, and for these applicants the two land on opposite sides of a split (scikit-learn
        puts some splits half a float32 step above a training value). Found here by evaluating scikit-learn's
        own trees on both feature matrices, independently of any ONNX runtime.

Fixtures (ConverterFixturesTest reads them; CI runs no Python, so they are checked in):

  skl2onnx-random-forest-zipmap       ColumnTransformer pipeline -> RandomForestClassifier; output_label (Cast)
                                      + ZipMap output_probability                   vs scikit-learn
  skl2onnx-random-forest              the same, options={"zipmap": False}           vs scikit-learn
  skl2onnx-gradient-boosting-zipmap   ColumnTransformer pipeline -> GradientBoostingClassifier + ZipMap
                                                                                    vs scikit-learn
  onnxmltools-xgboost-classifier      XGBClassifier on 20 floats: label + probabilities [N, 2]  vs xgboost
  onnxmltools-xgboost-regressor       XGBRegressor, credit_amount from the 19 other features: variable [N, 1]
                                                                                    vs xgboost
  onnxmltools-lightgbm-classifier-layout         LightGBM's binary layout (TreeEnsembleClassifier, Identity,
                                                 Cast, ZipMap) carrying scikit-learn GradientBoosting trees
  onnxmltools-lightgbm-classifier-layout-nozipmap  the same with zipmap=False (Mul by one)
  onnxmltools-lightgbm-regressor-layout          LightGBM's regressor layout (TreeEnsembleRegressor, Identity)
                                                 carrying scikit-learn GradientBoostingRegressor trees

skl2onnx, onnxmltools and LightGBM are not installable here (no PyPI; Debian packages none of them), so the
graphs are written node by node with Debian's onnx as those converters write them (read from their sources:
skl2onnx operator_converters/random_forest.py, gradient_boosting.py, zip_map.py, common/tree_ensemble.py;
onnxmltools convert/xgboost/operator_converters/XGBoost.py, convert/lightgbm/operator_converters/LightGbm.py,
convert/lightgbm/_parse.py). The models are trained with Debian's python3-sklearn 1.2.1 and python3-xgboost
1.7.4. LightGBM is not available at all: its fixtures carry scikit-learn's trees in LightGBM's layout (leaf
values already shrunk, the initial score folded into the first tree's leaves, as LightGBM's own dump has
them), their producer says so, and their predictions.csv holds scikit-learn's predictions for those trees,
not LightGBM's.

Regressor target: credit_amount (DM) predicted from the 19 other features, a real continuous target of the
demo data. Classifier target: the label (1 = bad credit risk). Training rows: the demo split's 700 "train"
applicants; predictions cover all 1,000.

Run from the repository root (apt-get install python3-sklearn python3-onnx python3-xgboost):

    /usr/bin/python3 training/sklearn/converter_fixtures.py
"""
import csv
import json
import os
import sys

import numpy as np
import onnx
import xgboost
from onnx import TensorProto, helper
from sklearn.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, RandomForestClassifier
from sklearn.pipeline import Pipeline

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import credit_risk_sklearn as demo  # noqa: E402  the demo's data, preprocessor and ColumnTransformer nodes

ROOT = os.getcwd()
OUT = os.path.join(ROOT, "router/src/test/resources/converters")
ML = "ai.onnx.ml"
OPSETS = demo.OPSETS
ALL = [f["name"] for f in demo.FEATURES]  # the CSV's and the demo model.json's column order
TARGET = "credit_amount"
REGRESSOR_FEATURES = [name for name in ALL if name != TARGET]
TREES = 30
SCRIPT = "training/sklearn/converter_fixtures.py"


def producer(layout, trained_by):
    return "scoring-gateway-training (%s's layout, %s; written by %s)" % (layout, trained_by, SCRIPT)


# ---------------------------------------------------------------- data

def read_all():
    with open(os.path.join(ROOT, "gateway/src/test/resources/demo/credit-risk-test-set.csv")) as f:
        rows = list(csv.DictReader(f))
    codes = np.array([[float(r[n]) for n in ALL] for r in rows], dtype=np.float32)
    return rows, codes


# ---------------------------------------------------------------- graph helpers

def zipmap_type():
    t = onnx.TypeProto()  # sequence<map<int64, float>>, which onnx 1.12's helper cannot spell
    t.sequence_type.elem_type.map_type.key_type = TensorProto.INT64
    t.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return t


def tree_model(name, nodes, inits, inputs, outputs, producer_name):
    g = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    model = helper.make_model(g, opset_imports=OPSETS, producer_name=producer_name, producer_version="1",
                              ir_version=8, domain="ai.onnx")
    onnx.checker.check_model(model)
    return model


def float_input(name, width):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, width])


def sklearn_float_threshold(t):
    """skl2onnx's adjustment: scikit-learn compares (float) x <= (double) t; the float threshold that decides
    alike is t rounded to float when that does not go above t, else the float just below."""
    f = np.float32(t)
    return float(f) if float(f) <= t else float(np.nextafter(f, np.float32(-np.inf)))


def empty_attrs(leaf_prefix, hitrates=True):
    keys = ["nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes", "nodes_values",
            "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true"]
    if hitrates:
        keys.append("nodes_hitrates")
    keys += [leaf_prefix + s for s in ("_treeids", "_nodeids", "_ids", "_weights")]
    return {k: [] for k in keys}


def add_node(attrs, prefix, tree, node, feature, mode, value, true_id, false_id, missing_true, weight=None):
    attrs["nodes_treeids"].append(tree)
    attrs["nodes_nodeids"].append(node)
    attrs["nodes_featureids"].append(feature)
    attrs["nodes_modes"].append(mode)
    attrs["nodes_values"].append(value)
    attrs["nodes_truenodeids"].append(true_id)
    attrs["nodes_falsenodeids"].append(false_id)
    attrs["nodes_missing_value_tracks_true"].append(missing_true)
    if "nodes_hitrates" in attrs:
        attrs["nodes_hitrates"].append(1.0)
    if mode == "LEAF":
        attrs[prefix + "_treeids"].append(tree)
        attrs[prefix + "_nodeids"].append(node)
        attrs[prefix + "_ids"].append(0)
        attrs[prefix + "_weights"].append(weight)


# ---------------------------------------------------------------- skl2onnx

def skl2onnx_trees(estimators, weight_of_leaf):
    """skl2onnx's add_tree_to_attribute_pairs: nodes in scikit-learn's order, BRANCH_LEQ with the float
    threshold adjusted, one weight per leaf (class 1's for a binary classifier) with class id 0."""
    attrs = empty_attrs("class")
    for t, estimator in enumerate(estimators):
        tree = estimator.tree_
        for n in range(tree.node_count):
            if tree.children_left[n] == -1:
                add_node(attrs, "class", t, n, 0, "LEAF", 0.0, 0, 0, 0, weight_of_leaf(tree.value[n]))
            else:
                add_node(attrs, "class", t, n, int(tree.feature[n]), "BRANCH_LEQ",
                         sklearn_float_threshold(tree.threshold[n]), int(tree.children_left[n]),
                         int(tree.children_right[n]), 0)
    return attrs


def skl2onnx_classifier_model(name, pipe, attrs, zipmap):
    """The ColumnTransformer nodes, the TreeEnsembleClassifier, and with the ZipMap (skl2onnx's default)
    Cast(label -> output_label) + ZipMap(probabilities -> output_probability)."""
    nodes, inits = [], []
    x = demo.column_transformer_nodes(pipe, nodes, inits)
    outputs = ["label", "probabilities"] if zipmap else ["output_label", "output_probability"]
    nodes.append(helper.make_node("TreeEnsembleClassifier", [x], outputs, name="TreeEnsembleClassifier", domain=ML,
                                  classlabels_int64s=[0, 1], **attrs))
    if zipmap:
        nodes.append(helper.make_node("Cast", ["label"], ["output_label"], name="Cast", to=TensorProto.INT64))
        nodes.append(helper.make_node("ZipMap", ["probabilities"], ["output_probability"], name="ZipMap", domain=ML,
                                      classlabels_int64s=[0, 1]))
        probability = helper.make_value_info("output_probability", zipmap_type())
    else:
        probability = helper.make_tensor_value_info("output_probability", TensorProto.FLOAT, [None, 2])
    inputs = [float_input("numeric", len(demo.NUMERIC)),
              helper.make_tensor_value_info("categorical", TensorProto.STRING, [None, len(demo.CATEGORICAL)])]
    label = helper.make_tensor_value_info("output_label", TensorProto.INT64, [None])
    return tree_model(name, nodes, inits, inputs, [label, probability], producer("skl2onnx", "scikit-learn 1.2.1"))


def random_forest_attrs(pipe):
    forest = pipe.named_steps["classifier"]
    weight = 1.0 / len(forest.estimators_)  # the forest averages its trees' class frequencies
    attrs = skl2onnx_trees(forest.estimators_, lambda value: float(value[0, 1] / value[0].sum() * weight))
    attrs["post_transform"] = "NONE"
    return attrs


def gradient_boosting_attrs(pipe):
    gb = pipe.named_steps["classifier"]
    attrs = skl2onnx_trees(gb.estimators_[:, 0], lambda value: float(value[0, 0] * gb.learning_rate))
    attrs["post_transform"] = "LOGISTIC"
    attrs["base_values"] = [float(v) for v in gb._raw_predict_init(np.zeros((1, gb.n_features_in_))).ravel()]
    return attrs


def float32_scaler_differences(pipe, x, numeric):
    """Per applicant, the trees whose leaf changes when fed the graph's float32 Scaler output instead of
    scikit-learn's float64 one (both rounded to float32, as scikit-learn's trees do)."""
    ct = pipe.named_steps["preprocessor"]
    scaler = ct.named_transformers_["num"]
    offset = scaler.mean_.astype(np.float32)
    scale = (1.0 / scaler.scale_).astype(np.float32)
    sklearn_features = ct.transform(x).astype(np.float32)
    graph_features = sklearn_features.copy()
    graph_features[:, :numeric.shape[1]] = (numeric - offset) * scale  # float32 throughout, as the Scaler node
    classifier = pipe.named_steps["classifier"]
    estimators = np.ravel(classifier.estimators_)  # a forest lists its trees; boosting holds one column of them
    differences = {}
    for t, estimator in enumerate(estimators):
        for row in np.nonzero(estimator.apply(sklearn_features) != estimator.apply(graph_features))[0]:
            differences.setdefault(int(row), []).append(t)
    return differences


def write_differences(name, ids, differences):
    with open(os.path.join(OUT, name, "float32-scaler-differences.csv"), "w", newline="\n") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "trees"])
        for row in sorted(differences):
            w.writerow([ids[row], " ".join(str(t) for t in differences[row])])
    print("  %d applicants differ from scikit-learn through the float32 Scaler: %s"
          % (len(differences), ", ".join(ids[r] for r in sorted(differences))))


def sklearn_config(name, description):
    return {
        "name": name,
        "description": description,
        "entity_key": "applicant_id",
        "champion": "1",
        "inputs": [
            {"name": "numeric", "type": "float", "features": demo.NUMERIC},
            {"name": "categorical", "type": "string", "features": demo.CATEGORICAL},
        ],
        "features": demo.FEATURES,
        "outputs": [{"name": "output_probability", "class": 1}, {"name": "output_label"}],
    }


# ---------------------------------------------------------------- onnxmltools: XGBoost

def xgboost_attrs(booster, classifier):
    """onnxmltools' XGBConverter.fill_tree_attributes: the JSON dump's nodes renumbered depth first (node,
    then its children as listed), BRANCH_LT on 'f<i>', missing to 'yes' when the dump says so, one weight per
    leaf (class id 0), and no nodes_hitrates."""
    prefix = "class" if classifier else "target"
    attrs = empty_attrs(prefix, hitrates=False)
    for t, dump in enumerate(booster.get_dump(with_stats=True, dump_format="json")):
        root = json.loads(dump)
        remap = {}

        def number(node):
            remap[node["nodeid"]] = len(remap)
            for child in node.get("children", []):
                number(child)

        def fill(node):
            if "children" in node:
                add_node(attrs, prefix, t, remap[node["nodeid"]], int(node["split"][1:]), "BRANCH_LT",
                         float(node["split_condition"]), remap[node["yes"]], remap[node["no"]],
                         int(node.get("missing", -1) == node["yes"]))
                for child in node["children"]:
                    fill(child)
            else:
                add_node(attrs, prefix, t, remap[node["nodeid"]], 0, "LEAF", 0.0, 0, 0, 0, float(node["leaf"]))

        number(root)
        fill(root)
    return attrs


def xgboost_classifier_model(model):
    attrs = xgboost_attrs(model.get_booster(), classifier=True)
    base_score = float(json.loads(model.get_booster().save_config())["learner"]["learner_model_param"]["base_score"])
    if base_score != 0.5:
        # binary:logistic adds base_score as a margin: onnxmltools writes its logit
        attrs["base_values"] = [float(-np.log(1 / np.float32(base_score) - 1.0))]
    node = helper.make_node("TreeEnsembleClassifier", ["input"], ["label", "probabilities"],
                            name="TreeEnsembleClassifier", domain=ML, classlabels_int64s=[0, 1],
                            post_transform="LOGISTIC", **attrs)
    outputs = [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
               helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])]
    return tree_model("xgboost_classifier", [node], [], [float_input("input", len(ALL))], outputs,
                      producer("onnxmltools", "xgboost %s" % xgboost.__version__))


def xgboost_regressor_model(model):
    attrs = xgboost_attrs(model.get_booster(), classifier=False)
    base_score = float(json.loads(model.get_booster().save_config())["learner"]["learner_model_param"]["base_score"])
    node = helper.make_node("TreeEnsembleRegressor", ["input"], ["variable"], name="TreeEnsembleRegressor",
                            domain=ML, post_transform="NONE", n_targets=1, base_values=[base_score], **attrs)
    outputs = [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])]
    return tree_model("xgboost_regressor", [node], [], [float_input("input", len(REGRESSOR_FEATURES))], outputs,
                      producer("onnxmltools", "xgboost %s" % xgboost.__version__))


# ---------------------------------------------------------------- onnxmltools: LightGBM

def lightgbm_attrs(estimators, leaf_value, prefix):
    """onnxmltools' LightGBM parse of scikit-learn trees as LightGBM dumps them: a node's id taken first, its
    two children's ids next (the smallest free ids), then each child parsed; nodes sorted by id; '<=' as
    BRANCH_LEQ on the threshold as a float; default_left with missing_type None gives missing-to-true unless
    the threshold is negative (LightGBM sends NaN as 0); hitrates 1.0."""
    attrs = empty_attrs(prefix)
    for t, estimator in enumerate(estimators):
        tree = estimator.tree_
        ids = {0: 0}

        def assign(n):
            if tree.children_left[n] == -1:
                return
            for child in (tree.children_left[n], tree.children_right[n]):
                ids[child] = len(ids)
            assign(tree.children_left[n])
            assign(tree.children_right[n])

        assign(0)
        order = sorted(ids, key=ids.get)
        for n in order:
            if tree.children_left[n] == -1:
                add_node(attrs, prefix, t, ids[n], 0, "LEAF", 0.0, 0, 0, 0, leaf_value(t, tree.value[n]))
            else:
                threshold = float(tree.threshold[n])
                add_node(attrs, prefix, t, ids[n], int(tree.feature[n]), "BRANCH_LEQ", threshold,
                         ids[tree.children_left[n]], ids[tree.children_right[n]], 0 if threshold < 0 else 1)
    return attrs


def lightgbm_leaf(learning_rate, init_score):
    # LightGBM's dump has leaves already shrunk and the boost-from-average score in the first tree's leaves
    return lambda t, value: float(value[0, 0] * learning_rate + (init_score if t == 0 else 0.0))


def lightgbm_classifier_model(gb, zipmap):
    init = float(gb._raw_predict_init(np.zeros((1, gb.n_features_in_))).ravel()[0])
    attrs = lightgbm_attrs(gb.estimators_[:, 0], lightgbm_leaf(gb.learning_rate, init), "class")
    nodes = [helper.make_node("TreeEnsembleClassifier", ["input"], ["label_tensor", "probability_tensor"],
                              name="LgbmClassifier", domain=ML, classlabels_int64s=[0, 1], post_transform="LOGISTIC",
                              **attrs),
             helper.make_node("Identity", ["label_tensor"], ["lgbmlabel"], name="Identity"),
             helper.make_node("Identity", ["probability_tensor"], ["lgbmprobabilities"], name="Identity1"),
             helper.make_node("Cast", ["lgbmlabel"], ["label"], name="Cast", to=TensorProto.INT64)]
    inits = []
    if zipmap:
        nodes.append(helper.make_node("ZipMap", ["lgbmprobabilities"], ["probabilities"], name="ZipMap", domain=ML,
                                      classlabels_int64s=[0, 1]))
        probability = helper.make_value_info("probabilities", zipmap_type())
    else:
        inits.append(helper.make_tensor("one", TensorProto.FLOAT, [], [1.0]))
        nodes.append(helper.make_node("Mul", ["lgbmprobabilities", "one"], ["probabilities"], name="Mul"))
        probability = helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])
    outputs = [helper.make_tensor_value_info("label", TensorProto.INT64, [None]), probability]
    return tree_model("lightgbm_classifier", nodes, inits, [float_input("input", len(ALL))], outputs,
                      producer("onnxmltools LightGBM", "trees of scikit-learn 1.2.1's GradientBoostingClassifier, "
                               "LightGBM not installed"))


def lightgbm_regressor_model(gb):
    init = float(gb.init_.constant_.ravel()[0])
    attrs = lightgbm_attrs(gb.estimators_[:, 0], lightgbm_leaf(gb.learning_rate, init), "target")
    nodes = [helper.make_node("TreeEnsembleRegressor", ["input"], ["output"], name="LgbmRegressor", domain=ML,
                              post_transform="NONE", n_targets=1, **attrs),
             helper.make_node("Identity", ["output"], ["variable"], name="Identity")]
    outputs = [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])]
    return tree_model("lightgbm_regressor", nodes, [], [float_input("input", len(REGRESSOR_FEATURES))], outputs,
                      producer("onnxmltools LightGBM", "trees of scikit-learn 1.2.1's GradientBoostingRegressor, "
                               "LightGBM not installed"))


def float_config(name, description, features, outputs):
    return {
        "name": name,
        "description": description,
        "entity_key": "applicant_id",
        "champion": "1",
        "inputs": [{"name": "input", "type": "float", "features": features}],
        "features": [f for f in demo.FEATURES if f["name"] in features],
        "outputs": outputs,
    }


CLASSIFIER_OUTPUTS = [{"name": "probabilities", "class": 1}, {"name": "label"}]
REGRESSOR_OUTPUTS = [{"name": "variable"}]


# ---------------------------------------------------------------- writing

def write(name, model, config, ids, scores, labels):
    directory = os.path.join(OUT, name)
    os.makedirs(directory, exist_ok=True)
    onnx.save(model, os.path.join(directory, "model.onnx"))
    with open(os.path.join(directory, "model.json"), "w", newline="\n") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(directory, "predictions.csv"), "w", newline="\n") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["applicant_id", "score", "label"])
        for i, applicant in enumerate(ids):
            w.writerow([applicant, repr(float(scores[i])), "" if labels is None else int(labels[i])])
    print("%-48s %6d bytes" % (name, os.path.getsize(os.path.join(directory, "model.onnx"))))


def main():
    ids, numeric, categorical, label, train = demo.read_rows()
    rows, codes = read_all()
    x = np.concatenate([numeric.astype(object), categorical], axis=1)

    rf = Pipeline([("preprocessor", demo.preprocessor()),
                   ("classifier", RandomForestClassifier(n_estimators=TREES, max_depth=4, random_state=42))])
    rf.fit(x[train], label[train])
    gb = Pipeline([("preprocessor", demo.preprocessor()),
                   ("classifier", GradientBoostingClassifier(n_estimators=TREES, max_depth=3, learning_rate=0.1,
                                                             random_state=42))])
    gb.fit(x[train], label[train])
    for zipmap in (True, False):
        name = "skl2onnx-random-forest" + ("-zipmap" if zipmap else "")
        write(name, skl2onnx_classifier_model(name, rf, random_forest_attrs(rf), zipmap),
              sklearn_config(name, "ColumnTransformer(StandardScaler, OneHotEncoder) + RandomForestClassifier(30 "
                                   "trees, depth 4) as skl2onnx writes it%s; predictions.csv is scikit-learn's."
                             % ("" if zipmap else " with options={'zipmap': False}")),
              ids, rf.predict_proba(x)[:, 1], rf.predict(x))
        write_differences(name, ids, float32_scaler_differences(rf, x, numeric))
    name = "skl2onnx-gradient-boosting-zipmap"
    write(name, skl2onnx_classifier_model(name, gb, gradient_boosting_attrs(gb), True),
          sklearn_config(name, "ColumnTransformer(StandardScaler, OneHotEncoder) + GradientBoostingClassifier(30 "
                               "trees, depth 3) as skl2onnx writes it, with its ZipMap; predictions.csv is "
                               "scikit-learn's."),
          ids, gb.predict_proba(x)[:, 1], gb.predict(x))
    write_differences(name, ids, float32_scaler_differences(gb, x, numeric))

    regressor_columns = [ALL.index(n) for n in REGRESSOR_FEATURES]
    amount = codes[:, ALL.index(TARGET)]
    xgb_classifier = xgboost.XGBClassifier(n_estimators=TREES, max_depth=3, learning_rate=0.3,
                                           base_score=float(label[train].mean()), random_state=42)
    xgb_classifier.fit(codes[train], label[train])
    write("onnxmltools-xgboost-classifier", xgboost_classifier_model(xgb_classifier),
          float_config("onnxmltools-xgboost-classifier",
                       "XGBClassifier (binary:logistic, 30 trees, depth 3, base_score = the training prior) on the "
                       "20 features as floats (category codes), as onnxmltools.convert_xgboost writes it; "
                       "predictions.csv is xgboost %s's." % xgboost.__version__, ALL, CLASSIFIER_OUTPUTS),
          ids, xgb_classifier.predict_proba(codes)[:, 1], xgb_classifier.predict(codes))
    xgb_regressor = xgboost.XGBRegressor(n_estimators=TREES, max_depth=3, learning_rate=0.3,
                                         base_score=float(amount[train].mean()), random_state=42)
    xgb_regressor.fit(codes[train][:, regressor_columns], amount[train])
    write("onnxmltools-xgboost-regressor", xgboost_regressor_model(xgb_regressor),
          float_config("onnxmltools-xgboost-regressor",
                       "XGBRegressor (reg:squarederror, 30 trees, depth 3, base_score = the training mean) "
                       "predicting credit_amount (DM) from the 19 other features, as onnxmltools.convert_xgboost "
                       "writes it; predictions.csv is xgboost %s's." % xgboost.__version__,
                       REGRESSOR_FEATURES, REGRESSOR_OUTPUTS),
          ids, xgb_regressor.predict(codes[:, regressor_columns]), None)

    lgb_classifier = GradientBoostingClassifier(n_estimators=TREES, max_depth=3, learning_rate=0.1, random_state=42)
    lgb_classifier.fit(codes[train], label[train])
    for zipmap in (True, False):
        name = "onnxmltools-lightgbm-classifier-layout" + ("" if zipmap else "-nozipmap")
        write(name, lightgbm_classifier_model(lgb_classifier, zipmap),
              float_config(name, "LightGBM's binary-classifier layout as onnxmltools.convert_lightgbm writes it%s, "
                                 "carrying the trees of scikit-learn's GradientBoostingClassifier (LightGBM is not "
                                 "installable here); predictions.csv is scikit-learn's for those trees, not "
                                 "LightGBM's." % ("" if zipmap else " with zipmap=False"), ALL, CLASSIFIER_OUTPUTS),
              ids, lgb_classifier.predict_proba(codes)[:, 1], lgb_classifier.predict(codes))
    lgb_regressor = GradientBoostingRegressor(n_estimators=TREES, max_depth=3, learning_rate=0.1, random_state=42)
    lgb_regressor.fit(codes[train][:, regressor_columns], amount[train])
    write("onnxmltools-lightgbm-regressor-layout", lightgbm_regressor_model(lgb_regressor),
          float_config("onnxmltools-lightgbm-regressor-layout",
                       "LightGBM's regressor layout as onnxmltools.convert_lightgbm writes it, carrying the trees "
                       "of scikit-learn's GradientBoostingRegressor (LightGBM is not installable here) predicting "
                       "credit_amount (DM) from the 19 other features; predictions.csv is scikit-learn's for "
                       "those trees, not LightGBM's.", REGRESSOR_FEATURES, REGRESSOR_OUTPUTS),
          ids, lgb_regressor.predict(codes[:, regressor_columns]), None)


if __name__ == "__main__":
    main()
