'use strict';
/**
 * A Serverless Framework plugin active only when the stage is "rehearsal" (npm run deploy:rehearse): the deploy goes
 * to a local CloudFormation engine (moto's), which implements most resource types but not all. Each resource of a
 * type it does not implement (the file REHEARSAL_SUPPORTED_TYPES lists those it does) becomes an SSM parameter
 * standing in for it, named after it, and every Ref, GetAtt and Fn::Sub reference to it a made-up value of the right
 * shape; the stand-ins are written to .serverless/rehearsal-stand-ins.json so that the rehearsal lists them by name,
 * never skipping one silently. Outside the rehearsal stage it does nothing.
 */
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');

const madeUp = (logicalId, attribute) =>
  attribute === 'Arn' || /Arn$/.test(attribute ?? '')
    ? `arn:aws:rehearsal:eu-west-1:000000000000:stand-in/${logicalId}`
    : `rehearsal-${logicalId}${attribute ? `-${attribute}` : ''}`;

function rewrite(value, standIns) {
  if (Array.isArray(value)) return value.map((v) => rewrite(v, standIns));
  if (value === null || typeof value !== 'object') return value;
  if (typeof value.Ref === 'string' && standIns.has(value.Ref)) return madeUp(value.Ref);
  const getAtt = value['Fn::GetAtt'];
  if (getAtt) {
    const [id, attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt).split('.');
    if (standIns.has(id)) return madeUp(id, attribute);
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const replace = (text) =>
      text.replace(/\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}/g, (whole, id, attribute) =>
        standIns.has(id) ? madeUp(id, attribute) : whole,
      );
    return {
      'Fn::Sub': Array.isArray(sub) ? [replace(sub[0]), rewrite(sub[1], standIns)] : replace(sub),
    };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, standIns)]));
}

class Rehearsal {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.standIn() };
  }

  standIn() {
    const { provider, service } = this.serverless.service;
    if (provider.stage !== 'rehearsal') return;
    const file = process.env.REHEARSAL_SUPPORTED_TYPES;
    if (!file)
      throw new Error('the rehearsal stage is deployed by npm run deploy:rehearse (REHEARSAL_SUPPORTED_TYPES)');
    const supported = new Set(JSON.parse(readFileSync(file, 'utf8')));
    const template = provider.compiledCloudFormationTemplate;
    // The service's own resources (and their parameters, conditions, outputs) are merged after this hook: merge them
    // here, so that they are stood in for too, and leave nothing for the framework to merge again.
    for (const part of [this.serverless.service.resources ?? []].flat())
      for (const section of ['Resources', 'Parameters', 'Conditions', 'Mappings', 'Outputs'])
        if (part?.[section]) template[section] = { ...(template[section] ?? {}), ...part[section] };
    this.serverless.service.resources = { Resources: {}, Outputs: {} };
    const standIns = new Map(
      Object.entries(template.Resources)
        .filter(([, resource]) => !supported.has(resource.Type))
        .map(([id, resource]) => [id, resource.Type]),
    );
    for (const [id, type] of standIns)
      template.Resources[id] = {
        Type: 'AWS::SSM::Parameter',
        Properties: { Name: `/rehearsal/${service}/${id}`, Type: 'String', Value: type },
      };
    for (const [id, resource] of Object.entries(template.Resources))
      if (!standIns.has(id)) template.Resources[id] = rewrite(resource, standIns);
    // CloudFormation reads "2" as 2 where a number is due; moto's ECS does arithmetic on it as given.
    for (const resource of Object.values(template.Resources))
      for (const key of ['DesiredCount'])
        if (typeof resource.Properties?.[key] === 'string' && /^\d+$/.test(resource.Properties[key]))
          resource.Properties[key] = Number(resource.Properties[key]);
    template.Outputs = rewrite(template.Outputs, standIns);
    const out = path.join(this.serverless.serviceDir, '.serverless');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      path.join(out, 'rehearsal-stand-ins.json'),
      JSON.stringify([...standIns].map(([logicalId, type]) => ({ logicalId, type }))),
    );
  }
}

module.exports = Rehearsal;
