#!/usr/bin/python3
"""Calls a running gateway as a plain Open Inference Protocol (KServe V2) client would.

Not this project's code path: Python's own gRPC runtime (Debian's python3-grpcio) with stubs that
grpc_tools compiles here, from the V2 proto, at run time; and the REST paths with urllib. It checks
ServerLive/ServerReady, ModelMetadata, and ModelInfer with typed contents and with raw contents.

    sudo apt-get install -y python3-grpcio python3-grpc-tools
    /usr/bin/python3 scripts/v2_client_check.py [host] [grpc-port] [http-port]
"""
import json
import os
import struct
import sys
import tempfile
import urllib.request

from grpc_tools import protoc
import grpc

HOST = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
GRPC_PORT = sys.argv[2] if len(sys.argv) > 2 else "8081"
HTTP_PORT = sys.argv[3] if len(sys.argv) > 3 else "8080"
PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "proto", "src", "main", "proto")

out = tempfile.mkdtemp()
if protoc.main(["protoc", f"-I{PROTO_DIR}", f"--python_out={out}", f"--grpc_python_out={out}",
                "inference/grpc_predict_v2.proto"]) != 0:
    sys.exit("protoc failed")
sys.path.insert(0, os.path.join(out, "inference"))
sys.path.insert(0, out)
import grpc_predict_v2_pb2 as pb  # noqa: E402
import grpc_predict_v2_pb2_grpc as pb_grpc  # noqa: E402

stub = pb_grpc.GRPCInferenceServiceStub(grpc.insecure_channel(f"{HOST}:{GRPC_PORT}"))
assert stub.ServerLive(pb.ServerLiveRequest()).live
assert stub.ServerReady(pb.ServerReadyRequest()).ready
meta = stub.ModelMetadata(pb.ModelMetadataRequest(name="credit-risk"))
print("ModelMetadata:", meta.name, list(meta.versions), [(i.name, i.datatype) for i in meta.inputs])

request = pb.ModelInferRequest(model_name="credit-risk", id="python-typed")
request.inputs.add(name="applicant_id", datatype="BYTES", shape=[2]).contents.bytes_contents.extend([b"A0001", b"A0002"])
request.inputs.add(name="duration", datatype="FP32", shape=[2]).contents.fp32_contents.extend([6, 48])
request.inputs.add(name="credit_amount", datatype="FP32", shape=[2]).contents.fp32_contents.extend([1169, 5951])
request.inputs.add(name="purpose", datatype="BYTES", shape=[2]).contents.bytes_contents.extend([b"radio/tv", b"radio/tv"])
typed = stub.ModelInfer(request)
typed_scores = list(typed.outputs[0].contents.fp32_contents)
print("ModelInfer (typed):", typed.model_version, typed.parameters["role"].string_param, typed_scores)

raw = pb.ModelInferRequest(model_name="credit-risk", id="python-raw")
raw.inputs.add(name="applicant_id", datatype="BYTES", shape=[2])
raw.inputs.add(name="duration", datatype="FP32", shape=[2])
raw.inputs.add(name="credit_amount", datatype="FP32", shape=[2])
raw.inputs.add(name="purpose", datatype="BYTES", shape=[2])
texts = lambda *xs: b"".join(struct.pack("<I", len(x)) + x for x in xs)  # noqa: E731
raw.raw_input_contents.extend([texts(b"A0001", b"A0002"), struct.pack("<2f", 6, 48),
                               struct.pack("<2f", 1169, 5951), texts(b"radio/tv", b"radio/tv")])
raw_answer = stub.ModelInfer(raw)
raw_scores = list(struct.unpack("<2f", raw_answer.raw_output_contents[0]))
print("ModelInfer (raw):", raw_scores)
assert raw_scores == typed_scores, "typed and raw answers differ"

body = json.dumps({"id": "python-rest", "inputs": [
    {"name": "applicant_id", "datatype": "BYTES", "shape": [1], "data": ["A0001"]},
    {"name": "duration", "datatype": "FP32", "shape": [1], "data": [6]},
    {"name": "credit_amount", "datatype": "FP32", "shape": [1], "data": [1169]},
    {"name": "purpose", "datatype": "BYTES", "shape": [1], "data": ["radio/tv"]}]}).encode()
with urllib.request.urlopen(urllib.request.Request(
        f"http://{HOST}:{HTTP_PORT}/v2/models/credit-risk/infer", body, {"Content-Type": "application/json"})) as r:
    rest = json.load(r)
print("REST infer:", rest["model_version"], rest["parameters"]["role"], rest["outputs"][0]["data"])
assert abs(rest["outputs"][0]["data"][0] - typed_scores[0]) < 1e-6
print("OK: a plain V2 client got consistent answers over gRPC (typed and raw) and REST")
