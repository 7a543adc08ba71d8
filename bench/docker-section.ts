/**
 * Docker volumes: the engine's encrypted volume backup, unchanged re-backup
 * and restore (through the archive API of never-started helpers) against the
 * raw archive API on the same volume in the same run, plus the DVOM-style
 * pipeline (a helper container running `tar czf`) as a reference. With
 * --peers, DVOM runs as `dvom backup --volume` / `dvom restore
 * --target-volume` and every row (raw ones too) is a whole process.
 *
 *   raw export      create a never-started container with the volume mounted
 *                   read-only, GET /containers/ID/archive?path=/volume/. and
 *                   discard the stream, remove the container
 *   raw import      create a fresh volume and a never-started container,
 *                   PUT /containers/ID/archive of a tar file of the dataset
 *   engine backup   backupVolumes() into a LocalBackend store (encrypted)
 *   re-backup       the same again, into the same store (nothing changed)
 *   engine restore  restoreVolume() of that version into a new volume
 *   tar czf         docker run --rm --network none -v VOL:/data:ro -v OUT:/out
 *                   busybox tar czf /out/x.tgz -C /data .
 *
 * Runs at the smallest size only unless --all-sizes (at 2 GiB it adds
 * minutes to the default run). No image is pulled: the archive API
 * needs only an image imported from an empty tar, and the reference runs a
 * rootfs holding a static busybox. Every volume, container and image the
 * section creates is labelled and removed, also when it fails or the bench is
 * interrupted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, createReadStream, existsSync, mkdirSync, openSync, readSync, closeSync, symlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type * as DockerClient from '../src/main/docker/docker-client.ts';
import { readTar } from '../src/main/engine/tar/tar-reader.ts';
import { onInterrupt } from './cleanup.ts';
import { folderDigest, TreeDigest } from './digest.ts';
import { bytesLabel, meets, targetLabel, verdict, type Target } from './format.ts';
import { pickRun, runCommand, runWorker, timeShell, treeTotals, workerModules } from './measure.ts';
import { runOp } from './operation.ts';
import { skippedResult, workerRow, type DatasetContext, type Row, type Section, type SectionResult } from './section.ts';

const PASSWORD = 'bench';
const NAME = 'bench';
const LABEL = 'io.dvom.bench';
/** The engine's helper image (src/main/docker/helper-container.ts): removed afterwards if the bench made the engine create it. */
const ENGINE_HELPER_IMAGE = 'dvom-helper:1';
const BUSYBOX_CANDIDATES = ['/bin/busybox', '/usr/bin/busybox', '/usr/local/bin/busybox'];

const statusOf = (err: unknown) => (err as { statusCode?: number } | null)?.statusCode;
const messageOf = (err: unknown) => (err as { json?: { message?: string } } | null)?.json?.message ?? (err as Error).message;

/** The engine's own connectDocker (DOCKER_HOST like the docker CLI, a ping with a time limit), from the build the workers load. */
async function connect(timeoutMs: number): Promise<Docker> {
  const { connectDocker } = (await import(workerModules().dockerClient)) as typeof DockerClient;
  return connectDocker(undefined, timeoutMs);
}

async function followImport(docker: Docker, tar: NodeJS.ReadableStream, name: string, labels: Record<string, string>): Promise<void> {
  const [repo, tag] = name.split(':');
  const changes = Object.entries(labels).map(([k, v]) => `LABEL ${k}=${v}`);
  const progress = await docker.importImage(tar, { repo, tag, changes } as Record<string, unknown>);
  await new Promise<void>((resolve, reject) => docker.modem.followProgress(progress, (err: Error | null) => (err ? reject(err) : resolve())));
}

/** Everything this section creates on the engine, so that it can all be removed. */
class DockerResources {
  readonly id = randomBytes(4).toString('hex');
  readonly labels = { [LABEL]: this.id };
  private readonly volumes = new Set<string>();
  private readonly images = new Set<string>();
  private helperImageExisted = true;
  private readonly docker: Docker;

  constructor(docker: Docker) {
    this.docker = docker;
  }

  async init(): Promise<void> {
    this.helperImageExisted = await this.docker
      .getImage(ENGINE_HELPER_IMAGE)
      .inspect()
      .then(
        () => true,
        (err: unknown) => statusOf(err) !== 404,
      );
  }

  /** A volume name owned by this run (the volume may be created by a worker, the engine or `docker run`). */
  volume(suffix: string): string {
    const name = `dvom-bench-${this.id}-${suffix}`;
    this.volumes.add(name);
    return name;
  }

  imageName(kind: string): string {
    const name = `dvom-bench-${kind}:${this.id}`;
    this.images.add(name);
    return name;
  }

  /** Force-removes the containers using `volume` (ours, or engine helpers a killed worker left), then the volume. */
  async removeVolume(volume: string): Promise<void> {
    const users = await this.docker.listContainers({ all: true, filters: { volume: [volume] } });
    await Promise.all(users.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.docker.getVolume(volume).remove();
        break;
      } catch (err) {
        if (statusOf(err) === 404) break;
        if (attempt >= 10) throw new Error(`cannot remove volume ${volume}: ${messageOf(err)}`);
        await new Promise((r) => setTimeout(r, 300)); // "volume is in use" right after a container went away
      }
    }
    this.volumes.delete(volume);
  }

  /** Removes everything; safe to call more than once. */
  async removeAll(): Promise<void> {
    const problems: string[] = [];
    const labelled = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL}=${this.id}`] } });
    await Promise.all(labelled.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const labelledVolumes = (await this.docker.listVolumes({ filters: { label: [`${LABEL}=${this.id}`] } })).Volumes ?? [];
    for (const v of labelledVolumes) this.volumes.add(v.Name);
    for (const v of [...this.volumes]) await this.removeVolume(v).catch((err: unknown) => problems.push((err as Error).message));
    for (const image of [...this.images]) {
      try {
        await this.docker.getImage(image).remove({ force: true });
        this.images.delete(image);
      } catch (err) {
        if (statusOf(err) === 404) this.images.delete(image);
        else problems.push(`cannot remove image ${image}: ${messageOf(err)}`);
      }
    }
    if (!this.helperImageExisted) {
      // Not forced: if another DVOM process is using it meanwhile, it stays.
      await this.docker
        .getImage(ENGINE_HELPER_IMAGE)
        .remove()
        .then(
          () => (this.helperImageExisted = true),
          () => undefined,
        );
    }
    if (problems.length) throw new Error(problems.join('; '));
  }
}

/** A static (no ELF interpreter) busybox, or why there is none. */
function findStaticBusybox(): { path: string } | { problem: string } {
  const found = BUSYBOX_CANDIDATES.find((p) => existsSync(p));
  if (!found) return { problem: `no busybox in ${BUSYBOX_CANDIDATES.join(', ')} (install busybox-static)` };
  const fd = openSync(found, 'r');
  try {
    const head = Buffer.alloc(64);
    readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2) return { problem: `${found} is not a 64-bit ELF binary` };
    const phoff = Number(head.readBigUInt64LE(0x20));
    const phentsize = head.readUInt16LE(0x36);
    const phnum = head.readUInt16LE(0x38);
    const ph = Buffer.alloc(phentsize * phnum);
    readSync(fd, ph, 0, ph.length, phoff);
    for (let i = 0; i < phnum; i++) if (ph.readUInt32LE(i * phentsize) === 3) return { problem: `${found} is dynamically linked (install busybox-static)` };
  } finally {
    closeSync(fd);
  }
  return { path: found };
}

async function volumeDigest(docker: Docker, image: string, volume: string, labels: Record<string, string>): Promise<TreeDigest> {
  const d = new TreeDigest();
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['/never-started'],
    Labels: labels,
    NetworkDisabled: true,
    HostConfig: { Binds: [`${volume}:/volume:ro`], NetworkMode: 'none' },
  });
  try {
    const stream = (await container.getArchive({ path: '/volume/.' })) as unknown as Readable;
    for await (const { header, body } of readTar(stream)) {
      if (header.type !== 'file') continue;
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of body) {
        hash.update(chunk);
        size += chunk.length;
      }
      d.add(header.path.toString('utf8').replace(/^\.\//, ''), size, hash.digest('hex'));
    }
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
  return d;
}

/** Builds the busybox image and times `tar czf` of the volume in a running container; undefined + a note if impossible. */
async function tarCzfReference(
  ctx: DatasetContext,
  docker: Docker,
  res: DockerResources,
  source: string,
): Promise<{ seconds: number; runs: number[]; outputBytes: number } | { problem: string }> {
  const busybox = findStaticBusybox();
  if ('problem' in busybox) return busybox;
  try {
    await runCommand('docker', ['version', '--format', '{{.Server.Version}}']);
  } catch (err) {
    return { problem: `the docker CLI does not work (${(err as Error).message.split('\n')[0]})` };
  }
  const rootfs = path.join(ctx.workDir, 'busybox-rootfs');
  mkdirSync(path.join(rootfs, 'bin'), { recursive: true });
  copyFileSync(busybox.path, path.join(rootfs, 'bin', 'busybox'));
  chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'tar', 'gzip', 'wc']) symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  const rootfsTar = path.join(ctx.workDir, 'busybox-rootfs.tar');
  await runCommand('tar', ['-cf', rootfsTar, '-C', rootfs, '.']);
  const image = res.imageName('busybox');
  await followImport(docker, createReadStream(rootfsTar), image, res.labels);
  await rm(rootfs, { recursive: true, force: true });

  const runs: number[] = [];
  let outputBytes = NaN;
  for (let i = 0; i < ctx.options.repeat; i++) {
    const out = res.volume(`tgz${i}`);
    await docker.createVolume({ Name: out, Labels: res.labels });
    const args = ['run', '--rm', '--network', 'none', '--label', `${LABEL}=${res.id}`, '-v', `${source}:/data:ro`, '-v', `${out}:/out`, image];
    await runCommand('sync', []);
    runs.push(await timeShell('docker "$@" tar czf /out/x.tgz -C /data .', ...args));
    const size = await runCommand('docker', [...args, 'wc', '-c', '/out/x.tgz']);
    outputBytes = Number(size.trim().split(/\s+/)[0]);
    await res.removeVolume(out);
  }
  return { seconds: Math.min(...runs), runs, outputBytes };
}

/** Targets against the raw archive API (issue 10). */
const TARGETS = {
  backup: { op: '≤', value: 1.6 },
  rebackup: { op: '≤', value: 1.15 },
  restore: { op: '≤', value: 1.3 },
} satisfies Record<string, Target>;

async function measure(ctx: DatasetContext, docker: Docker, res: DockerResources): Promise<SectionResult> {
  const { dataset, workDir, options } = ctx;
  const bytes = dataset.bytes;
  const dvom = options.wholeProcess ? 'dvom CLI' : 'engine';
  const notes: string[] = [];

  const emptyImage = res.imageName('empty');
  await followImport(docker, Readable.from([Buffer.alloc(1024)]), emptyImage, res.labels);
  const tarFile = path.join(workDir, 'dataset.tar');
  await runCommand('tar', ['-cf', tarFile, '-C', dataset.dir, '.']);

  ctx.log('filling the source volume (PUT /archive of the dataset tar, not timed)');
  const source = res.volume('src');
  await runWorker({ op: 'raw-import', volume: source, image: emptyImage, labels: res.labels, tarFile });

  ctx.log('raw export: GET /archive → /dev/null');
  const rawExport = await pickRun(options, () => runOp(ctx, { op: 'raw-export', volume: source, image: emptyImage, labels: res.labels }));

  ctx.log(`${dvom} volume backup (encrypted)`);
  const store = path.join(workDir, 'store');
  const enc = { store, name: NAME, encrypted: true, password: PASSWORD };
  const backup = await pickRun(
    options,
    () => runOp(ctx, { ...enc, op: 'volume-backup', volume: source, create: true }),
    () => rm(store, { recursive: true, force: true }),
  );
  const storedBytes = (await treeTotals(store)).bytes;

  ctx.log(`${dvom} unchanged volume re-backup`);
  const rebackup = await pickRun(options, () => runOp(ctx, { ...enc, op: 'volume-backup', volume: source, create: false }));

  ctx.log('raw import: PUT /archive into a new volume');
  const rawImport = await pickRun(options, async (i) => {
    const volume = res.volume(`imp${i}`);
    const r = await runOp(ctx, { op: 'raw-import', volume, image: emptyImage, labels: res.labels, tarFile });
    await res.removeVolume(volume);
    return r;
  });
  await rm(tarFile, { force: true });

  ctx.log(`${dvom} volume restore into a new volume`);
  let check: { ok: boolean; text: string } | undefined;
  const restore = await pickRun(options, async (i) => {
    const volume = res.volume(`res${i}`);
    const r = await runOp(ctx, { ...enc, op: 'volume-restore', targetVolume: volume });
    if (i === options.repeat - 1) {
      ctx.log('checking the restored volume against the dataset (sha256 of every file)');
      const [restored, expected] = [await volumeDigest(docker, emptyImage, volume, res.labels), await folderDigest(dataset.dir)];
      const ok = restored.digest() === expected.digest();
      check = {
        ok,
        text:
          `restore check: ${ok ? 'OK, identical content' : 'MISMATCH'} (${restored.files} files, ${restored.bytes} bytes; ` +
          `dataset ${expected.files} files, ${expected.bytes} bytes)`,
      };
    }
    await res.removeVolume(volume);
    return r;
  });
  await rm(store, { recursive: true, force: true });

  ctx.log('reference: docker run busybox tar czf');
  const tgz = await tarCzfReference(ctx, docker, res, source);

  const ratios = {
    backup: backup.opSeconds / rawExport.opSeconds,
    rebackup: rebackup.opSeconds / rawExport.opSeconds,
    restore: restore.opSeconds / rawImport.opSeconds,
  };
  const rows: Row[] = [
    workerRow('raw export: GET /archive → /dev/null', rawExport, bytes, `tar stream ${bytesLabel(rawExport.bytes ?? NaN)}`),
    workerRow(`${dvom} volume first backup (encrypted)`, backup, bytes, `${targetLabel(ratios.backup, TARGETS.backup)} of raw export`),
    workerRow(`${dvom} unchanged volume re-backup`, rebackup, bytes, `${targetLabel(ratios.rebackup, TARGETS.rebackup)} of raw export`),
    workerRow('raw import: PUT /archive ← tar file', rawImport, bytes),
    workerRow(`${dvom} volume restore (encrypted)`, restore, bytes, `${targetLabel(ratios.restore, TARGETS.restore)} of raw import`),
  ];
  if ('seconds' in tgz) {
    rows.push({
      operation: 'reference: docker run busybox tar czf',
      seconds: tgz.seconds,
      bytes,
      note: `${(tgz.seconds / rawExport.opSeconds).toFixed(2)}× raw export; x.tgz ${bytesLabel(tgz.outputBytes)}`,
    });
  }
  notes.push(
    check?.text ?? 'restore check: not run',
    `first backup stored ${bytesLabel(storedBytes)} (${((storedBytes / bytes) * 100).toFixed(1)}% of the dataset)`,
    'times include creating and removing the never-started container (and, for import/restore, creating the volume); ' +
      'raw import streams a tar file of the dataset made beforehand (page-cached)',
    options.wholeProcess
      ? `every time is a whole process (node start-up, module loading and, for dvom, the scrypt unlock included), ${options.pick} of ${options.repeat}; ` +
          'peak RSS is the whole process (GNU time)'
      : `unlock (scrypt, not in the times above): ${backup.unlockSeconds.toFixed(2)} / ${restore.unlockSeconds.toFixed(2)} s (backup / restore)`,
    'peak RSS is the client process only (the Docker daemon and containers are not included)',
    'seconds' in tgz
      ? `tar czf: docker run --rm --network none (create, start, tar czf to a volume, remove), runs ${tgz.runs.map((s) => s.toFixed(2)).join(', ')} s; ` +
          'busybox gzip -6 on one core'
      : `tar czf reference skipped: ${tgz.problem}`,
  );
  return {
    rows,
    notes,
    metrics: {
      rawExportSeconds: rawExport.opSeconds,
      rawImportSeconds: rawImport.opSeconds,
      backupSeconds: backup.opSeconds,
      rebackupSeconds: rebackup.opSeconds,
      restoreSeconds: restore.opSeconds,
      backupRatioToRawExport: ratios.backup,
      rebackupRatioToRawExport: ratios.rebackup,
      restoreRatioToRawImport: ratios.restore,
      storedBytes,
      ...('seconds' in tgz ? { tarCzfSeconds: tgz.seconds, tarCzfRatioToRawExport: tgz.seconds / rawExport.opSeconds } : {}),
      peakRssMiB: Math.max(backup.processPeakRssKiB, rebackup.processPeakRssKiB, restore.processPeakRssKiB) / 1024,
      restoreOk: check?.ok ? 1 : 0,
    },
    data: { rawExport, rawImport, backup, rebackup, restore, tarCzf: tgz },
  };
}

export const dockerSection: Section = {
  id: 'docker',
  title: 'docker: volume backup / restore through the engine vs the raw archive API',

  async run(ctx: DatasetContext): Promise<SectionResult> {
    if (ctx.sizeIndex > 0 && !ctx.options.allSizes) return skippedResult('runs at the smallest size only (--all-sizes for every size)');
    let docker: Docker;
    try {
      docker = await connect(5000);
    } catch (err) {
      return skippedResult(`no Docker engine answers (${(err as Error).message})`);
    }
    const res = new DockerResources(docker);
    await res.init();
    const unregister = onInterrupt(() => res.removeAll());
    try {
      return await measure(ctx, docker, res);
    } finally {
      ctx.log('removing the volumes, containers and images of this run');
      await res.removeAll();
      unregister();
    }
  },

  summarize(results) {
    const m = results.map((x) => x.result.metrics);
    const at = (f: (r: Record<string, number>) => string) => results.map((x) => `${f(x.result.metrics)} at ${x.label}`).join(', ');
    const line = (what: string, key: string, of: string, t: Target) =>
      `volume ${what}: ${at((r) => `${r[key]!.toFixed(2)}× ${of}`)} (target ${t.op} ${t.value}×): ${verdict(m.every((r) => meets(r[key]!, t)))}`;
    const lines = [
      line('first backup', 'backupRatioToRawExport', 'raw export', TARGETS.backup),
      line('unchanged re-backup', 'rebackupRatioToRawExport', 'raw export', TARGETS.rebackup),
      line('restore', 'restoreRatioToRawImport', 'raw import', TARGETS.restore) + (m.every((r) => r.restoreOk === 1) ? '' : ' (RESTORE CHECK FAILED)'),
    ];
    if (m.some((r) => r.tarCzfRatioToRawExport !== undefined)) {
      lines.push(
        `  reference, busybox tar czf in a container: ${at((r) => (r.tarCzfRatioToRawExport === undefined ? 'n/a' : `${r.tarCzfRatioToRawExport.toFixed(2)}× raw export`))}`,
      );
    }
    return lines;
  },
};
