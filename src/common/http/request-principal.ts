/** Who made a request, as the authentication guard leaves it on `request.user`. */
export interface RequestPrincipal {
  readonly userId: string;
}
