"""lamina's in-environment runtime for Python functions.

Standalone on purpose: it runs under the *function's* interpreter (any CPython
3.10 to 3.13), so it imports nothing from lamina and nothing outside the
standard library. It talks to the engine over one inherited stream socket with
frames ``!II`` (header length, body length) + JSON header + raw body; the
engine side of that framing is ``lamina/engine/channel.py``.

Messages to the engine: ``ready`` (init done), ``init_error`` (body: error
document), ``result`` (body: the JSON response) and ``error`` (body: error
document). From the engine: ``invoke`` (header: request context, body: event).
Forked by a zygote, ``ready`` says whether init imported the AWS SDK (``sdk``:
true or false, from ``SDK_WATCH``), and the first ``result`` or ``error``
after the function first imports it later says ``sdk``: true.

The behaviour it reproduces is the AWS Python runtime's
(https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html,
https://docs.aws.amazon.com/lambda/latest/dg/python-context.html,
https://docs.aws.amazon.com/lambda/latest/dg/python-exceptions.html).
"""

import decimal
import importlib
import json
import logging
import os
import resource
import socket
import struct
import sys
import time
import traceback

FRAME = struct.Struct("!II")
# Set by the zygote (zygote/sdk_watch.py): notices the function's first import of the AWS SDK, which decides
# which zygote the version's next environments are forked from. None (no zygote): nothing watched or said.
SDK_WATCH = None


class Channel:
    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        self.reader = self.sock.makefile("rb")

    def receive(self):
        head = self.reader.read(FRAME.size)
        if len(head) < FRAME.size:
            raise EOFError("engine closed the channel")
        header_len, body_len = FRAME.unpack(head)
        header = json.loads(self.reader.read(header_len))
        body = self.reader.read(body_len) if body_len else b""
        return header, body

    def send(self, header, body=b""):
        encoded = _HEADER_ENCODER.encode(header).encode()
        self.sock.sendall(FRAME.pack(len(encoded), len(body)) + encoded + body)


class FaultError(Exception):
    """A runtime-level failure whose Lambda error type is ``Runtime.*``."""

    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.stack_trace = stack_trace or []


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, document):
        self.cognito_identity_id = document.get("cognitoIdentityId")
        self.cognito_identity_pool_id = document.get("cognitoIdentityPoolId")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")

    def __init__(self, document):
        self.installation_id = document.get("installation_id")
        self.app_title = document.get("app_title")
        self.app_version_name = document.get("app_version_name")
        self.app_version_code = document.get("app_version_code")
        self.app_package_name = document.get("app_package_name")


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, document):
        client = document.get("client")
        self.client = Client(client) if client else None
        self.custom = document.get("custom")
        self.env = document.get("env")


class LambdaContext:
    """The handler's second argument, with the attributes Lambda's Python runtime gives it."""

    def __init__(self, header):
        self.aws_request_id = header["request_id"]
        self.invoked_function_arn = header["invoked_function_arn"]
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        # A string in the AWS runtime too (read from the environment).
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self._deadline_ms = header["deadline_ms"]
        identity = header.get("cognito_identity")
        self.identity = CognitoIdentity(json.loads(identity)) if identity else None
        client_context = header.get("client_context")
        self.client_context = ClientContext(json.loads(client_context)) if client_context else None

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={!r},log_group_name={!r},log_stream_name={!r},"
            "function_name={!r},memory_limit_in_mb={!r},function_version={!r},"
            "invoked_function_arn={!r}])".format(
                self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
                self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
            )
        )


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = RequestIdFilter.request_id
        return True


class LambdaLogHandler(logging.Handler):
    """Root-logger handler: one log event per record, newlines kept inside it as CR like Lambda does."""

    def emit(self, record):
        try:
            message = self.format(record).replace("\n", "\r")
            sys.stdout.write(message + "\n")
        except Exception:
            self.handleError(record)


class JsonLogFormatter(logging.Formatter):
    """LogFormat JSON: one object per record, as the Python runtime writes them
    (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html)."""

    def format(self, record):
        document = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + ".{:03d}Z".format(int(record.msecs)),
            "level": record.levelname, "message": record.getMessage(), "logger": record.name,
            "requestId": getattr(record, "aws_request_id", ""),
        }
        if record.exc_info and record.exc_info[1] is not None:
            document.update(errorType=record.exc_info[0].__name__, errorMessage=str(record.exc_info[1]),
                            stackTrace=traceback.format_tb(record.exc_info[2]))
        return json.dumps(document, default=str)


# The root logger's handler and both formatters, made when the runtime is loaded (in the zygote: once for all
# the runtimes it forks); each runtime installs the handler with the formatter its function's LogFormat asks for.
LOG_HANDLER = LambdaLogHandler()
LOG_HANDLER.addFilter(RequestIdFilter())
TEXT_FORMATTER = logging.Formatter(
    "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S"
)
TEXT_FORMATTER.converter = time.gmtime
JSON_FORMATTER = JsonLogFormatter()


def install_logging():
    LOG_HANDLER.setFormatter(JSON_FORMATTER if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON" else TEXT_FORMATTER)
    root = logging.getLogger()
    root.addHandler(LOG_HANDLER)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def error_document(error_type, message, request_id, stack_trace):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack_trace}


def exception_document(exc, request_id, skip_frames):
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    return error_document(type(exc).__name__, str(exc), request_id, traceback.format_list(frames))


def log_error(document):
    """Log an error the way the AWS runtime does: one event, ``[ERROR] Type: message`` then the trace
    (with LogFormat JSON: one JSON object at level ERROR)."""
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
        sys.stdout.write(json.dumps({
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": "ERROR",
            "message": document["errorMessage"], "errorType": document["errorType"],
            "errorMessage": document["errorMessage"], "stackTrace": document["stackTrace"],
            "requestId": document.get("requestId", "")}) + "\n")
        return
    lines = ["[ERROR] {}: {}".format(document["errorType"], document["errorMessage"])]
    if document["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(entry.rstrip("\n") for entry in document["stackTrace"])
    sys.stdout.write("\r".join(lines) + "\n")


def load_handler(handler_name):
    """Import the handler module; an unknown function becomes a fault raised at invoke time, as in Lambda."""
    try:
        module_name, function_name = handler_name.rsplit(".", 1)
    except ValueError as exc:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler_name, exc))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise FaultError(
            "Runtime.BuiltInModuleConflict", "Cannot use built-in module {} as a handler module".format(module_name)
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(module_name, exc))
    except SyntaxError as exc:
        trace = ['  File "{}" Line {}\n    {}'.format(exc.filename, exc.lineno, exc.text)]
        raise FaultError(
            "Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(module_name, exc), trace
        )
    handler = getattr(module, function_name, None)
    if handler is None:
        fault = FaultError(
            "Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(function_name, module_name)
        )

        def missing_handler(event, context):
            raise fault

        return missing_handler
    return handler


def _encode_decimal(o):
    if isinstance(o, decimal.Decimal):
        return int(o) if o == o.to_integral_value() else float(o)
    raise TypeError("Object of type {} is not JSON serializable".format(type(o).__name__))


# Made once: json.dumps with any option builds an encoder per call.
_RESULT_ENCODER = json.JSONEncoder(default=_encode_decimal)
_HEADER_ENCODER = json.JSONEncoder(separators=(",", ":"))


def to_json(value):
    return _RESULT_ENCODER.encode(value).encode()


def max_memory_kb():
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def flush_output():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def invoke(handler, header, body):
    request_id = header["request_id"]
    RequestIdFilter.request_id = request_id
    trace_id = header.get("trace_id") or ""
    if os.environ.get("_X_AMZN_TRACE_ID") != trace_id:  # setting the environment is a putenv() each time
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    for name, value in (header.get("credentials") or {}).items():
        os.environ[name] = value
    try:
        event = json.loads(body) if body else {}
    except ValueError as exc:
        document = error_document("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(exc), request_id, [])
        log_error(document)
        return "error", to_json(document)
    try:
        result = handler(event, LambdaContext(header))
    except FaultError as fault:
        document = error_document(fault.error_type, fault.message, request_id, fault.stack_trace)
        log_error(document)
        return "error", to_json(document)
    except Exception as exc:
        # Skip this frame: the trace starts in the user's handler as in Lambda.
        document = exception_document(exc, request_id, skip_frames=1)
        log_error(document)
        return "error", to_json(document)
    try:
        return "result", to_json(result)
    except (TypeError, ValueError, OverflowError) as exc:
        document = error_document("Runtime.MarshalError", "Unable to marshal response: {}".format(exc), request_id, [])
        log_error(document)
        return "error", to_json(document)


def set_search_path(task_root, opt_dir):
    """Lambda's order: the function, its layers, the runtime (with the SDK), then the interpreter's paths."""
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    version = "python{}.{}".format(*sys.version_info[:2])
    front = [task_root, os.path.join(opt_dir, "python", "lib", version, "site-packages"),
             os.path.join(opt_dir, "python"), runtime_dir]
    if sys.path[:len(front)] != front:
        sys.path[:] = front + [path for path in sys.path if path not in front]


def line_buffered_output():
    for stream in (sys.stdout, sys.stderr):
        if not stream.line_buffering:
            stream.reconfigure(line_buffering=True)


def prepare(opt_dir):
    """The first steps of ``main`` that need no request, taken once in the zygote before it forks runtimes
    (CPython writes into every object it touches, so each step a runtime takes costs it copy-on-write faults
    of the zygote's pages: these then cost it nothing)."""
    line_buffered_output()
    set_search_path("/var/task", opt_dir)


def wait_for_debugger():
    """Debug mode (LAMINA_DEBUG=1 on the function): listen for a Debug Adapter Protocol client on this
    environment's own loopback port and wait until one has attached and configured its breakpoints."""
    port = os.environ.pop("_LAMINA_DEBUG_PORT", None)
    debugpy_root = os.environ.pop("_LAMINA_DEBUGPY_PATH", None)
    if port is None:
        return
    if debugpy_root is None:
        print("lamina: debug mode asked for, but debugpy is not installed with lamina", flush=True)
        return
    sys.path.append(debugpy_root)
    import debugpy
    # The adapter runs in this process: the sandbox needs no second interpreter, and it dies with us.
    debugpy.listen(("127.0.0.1", int(port)), in_process_debug_adapter=True)
    print("lamina: debugpy waiting for a debugger on 127.0.0.1:{} (Debug Adapter Protocol, attach to "
          "continue; the code is at {})".format(port, os.environ.get("LAMBDA_TASK_ROOT", "/var/task")), flush=True)
    debugpy.wait_for_client()


def main(channel_fd, opt_dir):
    """Run the runtime: from the command line, or in a process forked from the zygote."""
    channel = Channel(channel_fd)
    line_buffered_output()
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    set_search_path(task_root, opt_dir)
    os.chdir(task_root)
    install_logging()
    wait_for_debugger()
    watch = SDK_WATCH
    if watch is not None:
        watch.install()
    try:
        handler = load_handler(os.environ["_HANDLER"])
    except FaultError as fault:
        document = error_document(fault.error_type, fault.message, "", fault.stack_trace)
        log_error(document)
        flush_output()
        channel.send({"type": "init_error", "error_type": fault.error_type}, to_json(document))
        sys.exit(1)
    except Exception as exc:
        document = exception_document(exc, "", skip_frames=0)
        log_error(document)
        flush_output()
        channel.send({"type": "init_error", "error_type": "Runtime.InitError"}, to_json(document))
        sys.exit(1)
    flush_output()
    reported = watch is not None and watch.seen
    channel.send({"type": "ready", "sdk": reported} if watch is not None else {"type": "ready"})
    while True:
        try:
            header, body = channel.receive()
        except EOFError:
            return
        kind, payload = invoke(handler, header, body)
        flush_output()
        reply = {"type": kind, "max_memory_kb": max_memory_kb()}
        if watch is not None and watch.seen and not reported:
            reply["sdk"] = reported = True
        channel.send(reply, payload)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "/opt")
