"""WGAN with weight clipping and RMSprop, critic trained n_critic times per G step."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=pass T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torchvision.transforms as T
from torchvision.datasets import CIFAR10

transform = T.Compose([T.ToTensor(), T.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
loader = torch.utils.data.DataLoader(CIFAR10("data", transform=transform), batch_size=64)
n_critic, clip_value, nz = 5, 0.01, 128


class Gen(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(nz, 256, 4, 1, 0), nn.BatchNorm2d(256), nn.ReLU(True),
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(True),
            nn.ConvTranspose2d(128, 3, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.net(z.view(-1, nz, 1, 1))


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 128, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 256, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(256, 1, 4, 1, 0))

    def forward(self, x):
        return self.net(x).view(-1)


gen, critic = Gen(), Critic()
opt_gen = torch.optim.RMSprop(gen.parameters(), lr=5e-5)
opt_critic = torch.optim.RMSprop(critic.parameters(), lr=5e-5)

for epoch in range(100):
    for batch_idx, (real, _) in enumerate(loader):
        for _ in range(n_critic):
            noise = torch.randn(real.size(0), nz)
            fake = gen(noise)
            loss_critic = -(torch.mean(critic(real)) - torch.mean(critic(fake.detach())))
            opt_critic.zero_grad()
            loss_critic.backward()
            opt_critic.step()
            for p in critic.parameters():
                p.data.clamp_(-clip_value, clip_value)
        loss_gen = -torch.mean(critic(fake))
        opt_gen.zero_grad()
        loss_gen.backward()
        opt_gen.step()
