import * as z from 'zod';

/** Strict request schemas of the users API: an unknown query parameter is a 400. */
export const NoQuery = z.strictObject({});

/**
 * The part of a Cognito trigger event the users triggers read (`version`, `triggerSource`, `userPoolId`,
 * `userName`, `request.userAttributes`); the rest is handed back as it came.
 */
export const CognitoTriggerEvent = z.looseObject({
  version: z.string().optional(),
  triggerSource: z.string().min(1),
  userPoolId: z.string().min(1),
  userName: z.string().min(1),
  request: z.looseObject({ userAttributes: z.record(z.string(), z.string()) }),
  response: z.record(z.string(), z.unknown()).nullish(),
});

/** The attributes a confirmed sign-up must carry: Cognito's `sub` and the email (the pool requires one). */
export const SignUpAttributes = z.looseObject({
  sub: z.string().trim().min(1),
  email: z.string().trim().min(1),
});

/** `path message; path message` of zod's issues under `root`, for an error naming what was wrong. */
export function describeIssues(error: z.ZodError, root = 'event'): string {
  return error.issues
    .map((issue) => `${[root, ...issue.path.map(String)].join('.')} ${issue.message}`)
    .join('; ');
}
