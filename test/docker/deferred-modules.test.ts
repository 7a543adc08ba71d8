/**
 * dockerode's BuildKit session client (gRPC, protobuf) and docker-modem's SSH
 * client are loaded only when called: a process that talks to a local engine
 * never loads them, and one that reaches an engine over ssh:// still gets the
 * real SSH client. Runs in a process of its own (the test runner's), so the
 * module cache starts empty.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { test } from 'node:test';
import { connectDocker } from '../../src/main/docker/docker-client.ts';

const loaded = (pkg: string) => Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes(`${path.sep}node_modules${path.sep}${pkg}${path.sep}`));

test('talking to a local engine loads neither the BuildKit session nor the SSH client, which still load when called', async () => {
  const docker = await connectDocker();
  assert.ok(Array.isArray((await docker.listVolumes()).Volumes), 'dockerode works');
  assert.equal(loaded('dockerode'), true);
  for (const pkg of ['@grpc/grpc-js', 'protobufjs', 'ssh2']) assert.equal(loaded(pkg), false, `${pkg} was loaded`);

  // What docker-modem calls for an ssh:// engine: the stand-in hands over to the real module.
  const fromDockerode = createRequire(createRequire(import.meta.url).resolve('dockerode'));
  const ssh = fromDockerode(path.join(path.dirname(fromDockerode.resolve('docker-modem')), 'ssh.js')) as (opt: object) => http.Agent;
  const agent = ssh({ host: '127.0.0.1', port: 1, username: 'nobody' });
  assert.ok(agent instanceof http.Agent);
  assert.equal(typeof agent.createConnection, 'function');
  assert.equal(loaded('ssh2'), true, 'the SSH client loads on its first call');
  agent.destroy();
});
