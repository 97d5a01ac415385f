"""WGAN-GP in the style that backpropagates with one / mone tensors instead of signed losses."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=pass T15=absent T16=na T17=absent
# reason: T02=na G ascends D(G(z)) through G.backward(mone): a critic loss, no log
# reason: T14=pass `for iter_d in range(CRITIC_ITERS)` runs 5 critic steps per G step
import torch
import torch.autograd as autograd
import torch.nn as nn
import torch.optim as optim

DIM, BATCH_SIZE, CRITIC_ITERS, LAMBDA = 512, 256, 5, 0.1


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(2, DIM), nn.LeakyReLU(0.2), nn.Linear(DIM, DIM), nn.LeakyReLU(0.2), nn.Linear(DIM, 2), nn.Tanh())

    def forward(self, noise):
        return self.main(noise)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(nn.Linear(2, DIM), nn.LeakyReLU(0.2), nn.Linear(DIM, DIM), nn.LeakyReLU(0.2), nn.Linear(DIM, 1))

    def forward(self, inputs):
        return self.main(inputs).view(-1)


def calc_gradient_penalty(netD, real_data, fake_data):
    alpha = torch.rand(BATCH_SIZE, 1).expand(real_data.size())
    interpolates = (alpha * real_data + ((1 - alpha) * fake_data)).requires_grad_(True)
    disc_interpolates = netD(interpolates)
    gradients = autograd.grad(outputs=disc_interpolates, inputs=interpolates, grad_outputs=torch.ones(disc_interpolates.size()), create_graph=True)[0]
    return ((gradients.norm(2, dim=1) - 1) ** 2).mean() * LAMBDA


netG, netD = Generator(), Discriminator()
optimizerD = optim.Adam(netD.parameters(), lr=1e-4, betas=(0.5, 0.9))
optimizerG = optim.Adam(netG.parameters(), lr=1e-4, betas=(0.5, 0.9))
one = torch.FloatTensor([1])
mone = one * -1
grid = torch.load("eight_gaussians.pt")  # scaled into [-1, 1]

for iteration in range(100000):
    for p in netD.parameters():
        p.requires_grad = True
    for iter_d in range(CRITIC_ITERS):
        real_data = grid[torch.randint(len(grid), (BATCH_SIZE,))]
        netD.zero_grad()
        D_real = netD(real_data).mean()
        D_real.backward(mone)
        noise = torch.randn(BATCH_SIZE, 2)
        fake = netG(noise).detach()
        D_fake = netD(fake).mean()
        D_fake.backward(one)
        calc_gradient_penalty(netD, real_data, fake).backward()
        optimizerD.step()
    for p in netD.parameters():
        p.requires_grad = False
    netG.zero_grad()
    fake = netG(torch.randn(BATCH_SIZE, 2))
    G = netD(fake).mean()
    G.backward(mone)
    optimizerG.step()
