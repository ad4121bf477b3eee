// lamina's in-environment runtime for Node.js functions.
//
// Standalone: runs under the machine's node, loads nothing but node's own modules.
// It talks to the engine over one inherited stream socket (fd in argv[2]) with frames
// "!II" (header length, body length) + JSON header + raw body; the engine's side is
// lamina/engine/channel.py. Behaviour follows the AWS Node.js runtime:
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
'use strict';

const fs = require('fs');
const net = require('net');
const path = require('path');
const { Writable } = require('stream');
const util = require('util');
const { pathToFileURL } = require('url');

const channel = new net.Socket({ fd: Number(process.argv[2]), readable: true, writable: true });
let received = Buffer.alloc(0);
let onMessage = null;
let currentRequestId = undefined;  // logged as "undefined" during init, as Lambda does

function send(header, body) {
  const head = Buffer.from(JSON.stringify(header));
  const payload = body ? Buffer.from(body) : Buffer.alloc(0);
  const frame = Buffer.alloc(8);
  frame.writeUInt32BE(head.length, 0);
  frame.writeUInt32BE(payload.length, 4);
  channel.write(Buffer.concat([frame, head, payload]));
}

channel.on('data', (chunk) => {
  received = received.length ? Buffer.concat([received, chunk]) : chunk;
  while (received.length >= 8) {
    const headLength = received.readUInt32BE(0);
    const bodyLength = received.readUInt32BE(4);
    const end = 8 + headLength + bodyLength;
    if (received.length < end) return;
    const header = JSON.parse(received.subarray(8, 8 + headLength).toString());
    const body = received.subarray(8 + headLength, end);
    received = received.subarray(end);
    onMessage(header, body);
  }
});
channel.on('end', () => process.exit(0));
channel.on('error', () => process.exit(0));

// console.* as Lambda formats it: one event per call, newlines kept inside as CR.
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const message = util.format(...args).replace(/\n/g, '\r');
      process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${message}\n`);
    };
  }
}

function errorDocument(error) {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

function logError(document) {
  const text = JSON.stringify(document);
  process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\tERROR\t${text}\n`);
}

async function loadModule(taskRoot, moduleName) {
  const base = path.resolve(taskRoot, moduleName);
  for (const extension of ['.js', '.mjs', '.cjs']) {
    const file = base + extension;
    if (!fs.existsSync(file)) continue;
    if (extension === '.mjs') return import(pathToFileURL(file).href);
    try {
      return require(file);
    } catch (error) {
      if (error && error.code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
      throw error;
    }
  }
  try {
    return require(moduleName);  // a package in node_modules, as Lambda allows
  } catch (error) {
    if (error && error.code === 'MODULE_NOT_FOUND') {
      throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${moduleName}'`);
    }
    throw error;
  }
}

async function loadHandler() {
  const handlerName = process.env._HANDLER || '';
  const taskRoot = process.env.LAMBDA_TASK_ROOT || '/var/task';
  const match = /^([^.]*)\.(.*)$/.exec(path.basename(handlerName));
  if (!match) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handlerName}`);
  const moduleName = path.join(path.dirname(handlerName), match[1]);
  let module;
  try {
    module = await loadModule(taskRoot, moduleName);
  } catch (error) {
    if (error instanceof RuntimeError) throw error;
    if (error instanceof SyntaxError) throw new RuntimeError('Runtime.UserCodeSyntaxError', `${error.name}: ${error.message}`);
    throw error;
  }
  let handler = module;
  for (const part of match[2].split('.')) handler = handler == null ? undefined : handler[part];
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerName} is undefined or not exported`);
  }
  return handler;
}

function makeContext(header, finish) {
  const env = process.env;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: header.invoked_function_arn,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: header.request_id,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: header.cognito_identity ? JSON.parse(header.cognito_identity) : undefined,
    clientContext: header.client_context ? JSON.parse(header.client_context) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, header.deadline_ms - Date.now()),
    // The legacy completion methods.
    succeed: (result) => finish(null, result),
    fail: (error) => finish(error || 'handled'),
    done: (error, result) => finish(error, result),
  };
  return context;
}

function maxMemoryKb() {
  return process.resourceUsage().maxRSS;
}

function respond(error, result) {
  if (error !== null && error !== undefined) {
    const document = errorDocument(error);
    logError(document);
    send({ type: 'error', max_memory_kb: maxMemoryKb() }, JSON.stringify(document));
    return;
  }
  let body;
  try {
    body = JSON.stringify(result === undefined ? null : result);
  } catch (marshal) {
    const document = { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${marshal.message}`, trace: [] };
    logError(document);
    send({ type: 'error', max_memory_kb: maxMemoryKb() }, JSON.stringify(document));
    return;
  }
  send({ type: 'result', max_memory_kb: maxMemoryKb() }, body);
}

// Response streaming (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html):
// a handler wrapped by awslambda.streamifyResponse gets (event, responseStream, context); what it writes
// goes to the engine as it is written ("stream_begin", then one "stream_chunk" frame per write), and the
// invocation ends with an empty "result" once the stream is finished.
const STREAMING = Symbol('lamina.streaming');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

function responseStream() {
  let contentType = 'application/octet-stream';
  let begun = false;
  const begin = () => {
    if (begun) return;
    begun = true;
    send({ type: 'stream_begin', content_type: contentType });
  };
  const stream = new Writable({
    write(chunk, encoding, callback) {
      begin();
      send({ type: 'stream_chunk' }, chunk);
      callback();
    },
    final(callback) {
      begin();
      callback();
    },
  });
  stream.setContentType = (value) => { contentType = String(value); };
  return stream;
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = true;
    return handler;
  },
  // The prelude of an HTTP response (status, headers, cookies) for function URLs: JSON, then 8 NUL bytes.
  HttpResponseStream: class HttpResponseStream {
    static from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    }
  },
};

function invokeStreaming(handler, event, context, settle) {
  const stream = responseStream();
  stream.on('finish', () => settle(null, undefined, true));
  stream.on('error', (error) => settle(error));
  const returned = handler(event, stream, context);
  const endStream = () => { if (!stream.writableEnded) stream.end(); };
  if (returned && typeof returned.then === 'function') {
    returned.then(endStream, (error) => settle(error || new Error('rejected')));
  }
}

let pending = null;  // the invocation in flight: { settle(error, result) }

function invoke(handler, header, body) {
  currentRequestId = header.request_id;
  process.env._X_AMZN_TRACE_ID = header.trace_id || '';
  for (const [name, value] of Object.entries(header.credentials || {})) process.env[name] = value;
  let event;
  try {
    event = body.length ? JSON.parse(body.toString()) : {};
  } catch (error) {
    respond(new RuntimeError('Runtime.UnmarshalError', `Unable to parse input as JSON: ${error.message}`));
    return;
  }
  let settled = false;
  const settle = (error, result, streamed) => {
    if (settled) return;
    settled = true;
    pending = null;
    channel.ref();
    if (streamed) {
      send({ type: 'result', max_memory_kb: maxMemoryKb() });
    } else {
      respond(error, result);
    }
  };
  pending = { settle };
  const context = makeContext(header, settle);
  try {
    if (handler[STREAMING]) {
      invokeStreaming(handler, event, context, settle);
      return;
    }
    const returned = handler(event, context, settle);
    if (returned && typeof returned.then === 'function') {
      returned.then((result) => settle(null, result), (error) => settle(error || new Error('rejected')));
    } else {
      // Callback style (or a synchronous handler): respond when called back or, like Lambda,
      // with null once nothing else keeps the event loop alive.
      channel.unref();
    }
  } catch (error) {
    settle(error);
  }
}

// Callback-style handlers that never call back get null once nothing else is scheduled.
process.on('beforeExit', () => {
  if (pending) pending.settle(null, null);
});

process.on('uncaughtException', (error) => {
  if (pending) {
    pending.settle(error);
  } else {
    logError(errorDocument(error));
  }
  // The AWS runtime does not survive an uncaught exception: neither does this environment.
  setImmediate(() => process.exit(129));
});

process.on('unhandledRejection', (reason) => {
  const error = new RuntimeError('Runtime.UnhandledPromiseRejection', reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  if (pending) pending.settle(error);
  setImmediate(() => process.exit(128));
});

// Debug mode (LAMINA_DEBUG=1 on the function): Node's inspector on this environment's own loopback port;
// wait for a debugger (Chrome DevTools, VS Code) before the handler module is loaded.
function waitForDebugger() {
  const port = process.env._LAMINA_DEBUG_PORT;
  if (!port) return;
  delete process.env._LAMINA_DEBUG_PORT;
  const inspector = require('inspector');
  inspector.open(Number(port), '127.0.0.1', false);
  process.stdout.write(`lamina: node inspector waiting for a debugger on 127.0.0.1:${port} ` +
    `(${inspector.url()}; the code is at ${process.env.LAMBDA_TASK_ROOT || '/var/task'})\n`);
  inspector.waitForDebugger();
}

async function main() {
  waitForDebugger();
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    const document = errorDocument(error);
    logError(document);
    const errorType = error instanceof RuntimeError ? error.name : 'Runtime.InitError';
    send({ type: 'init_error', error_type: errorType }, JSON.stringify(document));
    channel.end(() => process.exit(1));
    return;
  }
  onMessage = (header, body) => invoke(handler, header, body);
  send({ type: 'ready' });
}

main();
